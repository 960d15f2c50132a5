using System.Text;

namespace CnnCost.Import.Onnx;

/// <summary>A protobuf wire format error: the bytes are not a well-formed message.</summary>
internal sealed class WireFormatException(string message) : Exception(message);

/// <summary>One field of a protobuf message as it lies in the bytes, without its value decoded into objects.</summary>
/// <param name="Number">The field number.</param>
/// <param name="WireType">0 varint, 1 fixed 64-bit, 2 length-delimited, 5 fixed 32-bit.</param>
/// <param name="Varint">The value of a varint field (two's complement for negative int64).</param>
/// <param name="Start">Where a length-delimited field's bytes begin.</param>
/// <param name="Length">How many bytes a length-delimited field holds.</param>
internal readonly record struct WireField(int Number, int WireType, ulong Varint, int Start, int Length);

/// <summary>
/// Walks the fields of a protobuf message in place (protobuf encoding: a varint tag <c>number · 8 + wire type</c>, then
/// the value). The ONNX importer reads the graph with it node by node, so a file of a million nodes never becomes a
/// million-object tree, and an initializer's weight data is skipped, never copied.
/// </summary>
internal static class WireScanner
{
    /// <summary>The fields of the message in <c>data[start .. start + length)</c>, in file order.</summary>
    public static IEnumerable<WireField> Fields(byte[] data, int start, int length)
    {
        var position = start;
        var end = start + length;
        while (position < end)
        {
            var tag = ReadVarint(data, ref position, end);
            var number = tag >> 3;
            var wireType = (int)(tag & 7);
            if (number is 0 or > 536_870_911)
            {
                throw new WireFormatException($"field number {number} at byte {position} is not a protobuf field number");
            }

            switch (wireType)
            {
                case 0:
                    yield return new WireField((int)number, 0, ReadVarint(data, ref position, end), 0, 0);
                    break;
                case 1 or 5:
                    var size = wireType == 1 ? 8 : 4;
                    Skip(ref position, size, end);
                    yield return new WireField((int)number, wireType, 0, position - size, size);
                    break;
                case 2:
                    var declared = ReadVarint(data, ref position, end);
                    if (declared > (ulong)(end - position))
                    {
                        throw new WireFormatException($"field {number} at byte {position} declares {declared} bytes, more than its message holds");
                    }

                    var bytes = (int)declared;
                    position += bytes;
                    yield return new WireField((int)number, 2, 0, position - bytes, bytes);
                    break;
                default:
                    // Groups (3, 4) are deprecated and never written by ONNX; 6 and 7 are not wire types.
                    throw new WireFormatException($"field {number} at byte {position} has wire type {wireType}, which ONNX files do not use");
            }
        }
    }

    /// <summary>The UTF-8 text of a length-delimited field.</summary>
    public static string Text(byte[] data, WireField field) => Encoding.UTF8.GetString(data, field.Start, field.Length);

    /// <summary>
    /// The values of a repeated int64 field occurrence: one varint, or a packed run of them (protobuf writes repeated
    /// scalars packed by default in proto3 and accepts both).
    /// </summary>
    public static void AddInt64s(byte[] data, WireField field, List<long> values)
    {
        switch (field.WireType)
        {
            case 0:
                values.Add((long)field.Varint);
                return;
            case 2:
                var position = field.Start;
                var end = field.Start + field.Length;
                while (position < end)
                {
                    values.Add((long)ReadVarint(data, ref position, end));
                }

                return;
            default:
                throw new WireFormatException($"field {field.Number} holds integers but has wire type {field.WireType}");
        }
    }

    /// <summary>Fails unless a field that holds a string or message is length-delimited.</summary>
    public static void ExpectLengthDelimited(WireField field, string what)
    {
        if (field.WireType != 2)
        {
            throw new WireFormatException($"field {field.Number} ({what}) has wire type {field.WireType}, expected 2 (length-delimited)");
        }
    }

    private static ulong ReadVarint(byte[] data, ref int position, int end)
    {
        ulong value = 0;
        for (var shift = 0; shift < 70; shift += 7)
        {
            if (position >= end)
            {
                throw new WireFormatException($"a varint runs past the end of its message at byte {position}");
            }

            var b = data[position++];
            value |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80)
            {
                return value;
            }
        }

        throw new WireFormatException($"a varint longer than 10 bytes ends at byte {position}");
    }

    private static void Skip(ref int position, int bytes, int end)
    {
        if (end - position < bytes)
        {
            throw new WireFormatException($"a fixed-size field runs past the end of its message at byte {position}");
        }

        position += bytes;
    }
}
