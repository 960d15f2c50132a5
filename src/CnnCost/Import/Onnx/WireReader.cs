using System.Text;

namespace CnnCost.Import.Onnx;

/// <summary>A protobuf wire format error: the bytes are not a well-formed message.</summary>
internal sealed class WireFormatException(string message) : Exception(message);

/// <summary>
/// Reads protobuf wire format (a varint tag <c>number · 8 + wire type</c>, then the value) from a seekable stream
/// through a small buffer, descending into the messages it is asked to read and seeking past every other field: the
/// ONNX importer takes a graph's structure and its tensors' dims this way, and an initializer's weight data, however
/// large, is never read. Every length is checked against the message that holds it before anything is skipped or read.
/// </summary>
internal sealed class WireReader
{
    /// <summary>Wire type of varints.</summary>
    public const int Varint = 0;

    /// <summary>Wire type of fixed 64-bit values.</summary>
    public const int Fixed64 = 1;

    /// <summary>Wire type of strings, bytes, messages and packed repeated scalars.</summary>
    public const int LengthDelimited = 2;

    /// <summary>Wire type of fixed 32-bit values.</summary>
    public const int Fixed32 = 5;

    /// <summary>
    /// The most bytes a message read whole (a node, an input) may hold: the largest byte array .NET makes
    /// (<see cref="Array.MaxLength"/>, just under protobuf's own 2 GiB limit), so a longer one is a format error, not an
    /// out-of-memory crash.
    /// </summary>
    public static readonly long MaxMessageBytes = Array.MaxLength;

    private readonly Stream _stream;
    private readonly byte[] _buffer = new byte[1 << 16];
    private long _bufferStart; // the stream position of _buffer[0]
    private int _index;
    private int _count;

    /// <summary>Reads <paramref name="stream"/>, which must be seekable, from its current position to its end.</summary>
    public WireReader(Stream stream)
    {
        if (!stream.CanSeek)
        {
            throw new ArgumentException("the stream must be seekable", nameof(stream));
        }

        _stream = stream;
        _bufferStart = stream.Position;
        End = stream.Length;
    }

    /// <summary>Where the stream ends: the end of the outermost message.</summary>
    public long End { get; }

    /// <summary>The position in the stream.</summary>
    public long Position => _bufferStart + _index;

    /// <summary>The next tag before <paramref name="end"/>: false at the end of the message.</summary>
    public bool NextField(long end, out int number, out int wireType)
    {
        if (Position >= end)
        {
            (number, wireType) = (0, 0);
            return false;
        }

        var at = Position;
        var tag = ReadVarint(end);
        if (tag >> 3 is 0 or > 536_870_911)
        {
            throw new WireFormatException($"field number {tag >> 3} at byte {at} is not a protobuf field number");
        }

        (number, wireType) = ((int)(tag >> 3), (int)(tag & 7));
        if (wireType is not (Varint or Fixed64 or LengthDelimited or Fixed32))
        {
            // Groups (3, 4) are deprecated and never written by ONNX; 6 and 7 are not wire types.
            throw new WireFormatException($"field {number} at byte {at} has wire type {wireType}, which ONNX files do not use");
        }

        return true;
    }

    /// <summary>Reads a varint that must end before <paramref name="end"/>.</summary>
    public ulong ReadVarint(long end)
    {
        ulong value = 0;
        for (var shift = 0; shift < 70; shift += 7)
        {
            if (Position >= end || !Fill(1))
            {
                throw new WireFormatException($"a varint runs past the end of its message at byte {Position}");
            }

            var b = _buffer[_index++];
            // Stryker disable once Assignment : each byte fills seven bits no earlier byte set, so ^= sets the same bits as |=
            value |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80)
            {
                return value;
            }
        }

        throw new WireFormatException($"a varint longer than 10 bytes ends at byte {Position}");
    }

    /// <summary>Reads the length of a length-delimited field and returns where its value ends, within <paramref name="end"/>.</summary>
    public long ReadLength(int number, long end)
    {
        var length = ReadVarint(end);
        if (length > (ulong)(end - Position))
        {
            throw new WireFormatException($"field {number} at byte {Position} declares {length} bytes, more than its message holds");
        }

        return Position + (long)length;
    }

    /// <summary>The value of a length-delimited field, copied; for the small messages the importer parses whole.</summary>
    public byte[] ReadBytes(int number, long end) => ReadTo(ReadLength(number, end), number);

    /// <summary>The bytes from here to <paramref name="valueEnd"/>: the rest of a value whose length was read already.</summary>
    public byte[] ReadTo(long valueEnd, int number)
    {
        if (valueEnd - Position > MaxMessageBytes)
        {
            throw new WireFormatException($"field {number} at byte {Position} holds {valueEnd - Position} bytes, more than the {MaxMessageBytes} CnnCost reads as one message");
        }

        var bytes = new byte[valueEnd - Position];
        var done = 0;
        while (done < bytes.Length)
        {
            // Stryker disable once Statement,String : unreachable: ReadLength has checked the value against the stream's length
            if (!Fill(1))
            {
                throw new WireFormatException($"the file ends at byte {Position}, inside field {number}");
            }

            var n = Math.Min(bytes.Length - done, _count - _index);
            Array.Copy(_buffer, _index, bytes, done, n);
            _index += n;
            done += n;
        }

        return bytes;
    }

    /// <summary>The UTF-8 text of a length-delimited field.</summary>
    public string ReadText(int number, long end) => Encoding.UTF8.GetString(ReadBytes(number, end));

    /// <summary>
    /// Adds the values of a repeated int64 field occurrence: one varint, or a packed run of them (proto3 packs repeated
    /// scalars by default; readers accept both).
    /// </summary>
    public void ReadInt64s(int number, int wireType, long end, List<long> values)
    {
        switch (wireType)
        {
            case Varint:
                values.Add((long)ReadVarint(end));
                return;
            case LengthDelimited:
                var valueEnd = ReadLength(number, end);
                while (Position < valueEnd)
                {
                    values.Add((long)ReadVarint(valueEnd));
                }

                return;
            default:
                throw new WireFormatException($"field {number} holds integers but has wire type {wireType}");
        }
    }

    /// <summary>Passes over a field's value without reading it: a large one is sought past.</summary>
    public void Skip(int number, int wireType, long end)
    {
        switch (wireType)
        {
            case Varint:
                ReadVarint(end);
                return;
            case LengthDelimited:
                SeekTo(ReadLength(number, end));
                return;
            default:
                var size = wireType == Fixed64 ? 8 : 4;
                if (end - Position < size)
                {
                    throw new WireFormatException($"a fixed-size field runs past the end of its message at byte {Position}");
                }

                SeekTo(Position + size);
                return;
        }
    }

    /// <summary>Fails unless a field that holds a string or message is length-delimited.</summary>
    public static void Expect(int number, int wireType, string what)
    {
        if (wireType != LengthDelimited)
        {
            throw new WireFormatException($"field {number} ({what}) has wire type {wireType}, expected 2 (length-delimited)");
        }
    }

    /// <summary>Moves to <paramref name="position"/>, within the buffer when it is there, else by seeking the stream.</summary>
    public void SeekTo(long position)
    {
        // Stryker disable once Arithmetic : _bufferStart - _count bounds a position only when _count is 0 and it is _bufferStart, where seeking the stream gives the same state
        if (position >= _bufferStart && position <= _bufferStart + _count)
        {
            _index = (int)(position - _bufferStart);
            // Stryker disable once Statement : falling through seeks the stream to the same position with an empty buffer, which refills it
            return;
        }

        _stream.Seek(position, SeekOrigin.Begin);
        (_bufferStart, _index, _count) = (position, 0, 0);
    }

    /// <summary>Makes at least <paramref name="bytes"/> bytes available at the index; false where the stream ends first.</summary>
    private bool Fill(int bytes)
    {
        if (_count - _index >= bytes)
        {
            return true;
        }

        // Keep what is left, at the front.
        var left = _count - _index;
        // Stryker disable once Statement : Fill is only asked for 1 byte and runs only when none is left, so left is 0
        Array.Copy(_buffer, _index, _buffer, 0, left);
        _bufferStart += _index;
        (_index, _count) = (0, left);
        while (_count < bytes)
        {
            // Stryker disable once Arithmetic : _count is 0 here (left is 0, and one read of 1 byte or more ends the loop), so Length + 0 = Length - 0
            var read = _stream.Read(_buffer, _count, _buffer.Length - _count);
            if (read == 0)
            {
                // Stryker disable once Boolean : unreachable: every read is first checked against End, the stream's length
                return false;
            }

            _count += read;
        }

        return true;
    }
}
