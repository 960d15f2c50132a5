using CnnCost.Import;
using Xunit;

namespace CnnCost.Tests.Import;

/// <summary>Paths of every kind given as a model: each ends in one clear error, fast, without reading all of a device.</summary>
public sealed class ModelFileTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("cnncost-files-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void Dev_zero_is_refused_from_its_first_bytes_as_prototxt_and_as_onnx()
    {
        var text = Assert.Throws<ModelFormatException>(() => CaffeImporter.Read("/dev/zero"));
        Assert.Equal("/dev/zero: is not text: it holds a NUL byte within its first 65,536 bytes", text.Message);
        var binary = Assert.Throws<ModelFormatException>(() => OnnxImporter.Read("/dev/zero"));
        Assert.Contains("cannot start with byte 0x00", binary.Message);
    }

    [Fact]
    public void A_directory_a_missing_file_and_a_file_over_the_limit_are_refused_by_name()
    {
        Assert.Contains("is a directory", Assert.Throws<ModelFormatException>(() => CaffeImporter.Read(_directory)).Message);
        var missing = Path.Combine(_directory, "missing.prototxt");
        Assert.StartsWith($"{missing}: cannot be read", Assert.Throws<ModelFormatException>(() => CaffeImporter.Read(missing)).Message);
        var large = Path.Combine(_directory, "large.prototxt");
        using (var stream = File.Create(large))
        {
            stream.SetLength(CaffeImporter.MaxFileBytes + 1); // sparse: no disk is written
        }

        Assert.Contains("is larger than 512 MiB", Assert.Throws<ModelFormatException>(() => CaffeImporter.Read(large)).Message);
        var nul = Path.Combine(_directory, "a\0b.onnx"); // no file system takes a NUL in a name
        Assert.Contains("cannot be read", Assert.Throws<ModelFormatException>(() => OnnxImporter.Read(nul)).Message);
    }

    [Theory]
    [InlineData(new byte[] { 0x00 }, "0x00")]             // field 0
    [InlineData(new byte[] { 0x0b, 0x01 }, "0x0b")]       // wire type 3, a group
    [InlineData(new byte[] { 0x0e }, "0x0e")]             // wire type 6 does not exist
    [InlineData(new byte[] { 0x02, 0x00 }, "0x02")]       // field 0, wire type 2
    public void Bytes_no_protobuf_message_can_start_with_are_refused_at_once(byte[] start, string shown)
    {
        var path = Path.Combine(_directory, "bad.onnx");
        File.WriteAllBytes(path, start);
        Assert.Contains($"cannot start with byte {shown}", Assert.Throws<ModelFormatException>(() => OnnxImporter.Read(path)).Message);
    }

    [Fact]
    public void A_prototxt_with_a_byte_order_mark_reads_as_without()
    {
        var path = Path.Combine(_directory, "bom.prototxt");
        File.WriteAllText(path, "name: \"n\"\ninput: \"data\"\ninput_dim: 1\ninput_dim: 3\ninput_dim: 8\ninput_dim: 8\n",
            new System.Text.UTF8Encoding(encoderShouldEmitUTF8Identifier: true));
        Assert.Equal("n", CaffeImporter.Read(path).Network.Name);
    }

    [Theory]
    [InlineData(new byte[] { 0xFF, 0xFE, 0x28, 0x20 })]   // a UTF-16 LE mark, then U+2028 (a line separator, white space)
    [InlineData(new byte[] { 0xFE, 0xFF, 0x20, 0x28 })]   // the same in UTF-16 BE
    [InlineData(new byte[] { 0xFF, 0xFE })]               // the mark alone
    [InlineData(new byte[] { 0x20 })]                     // one byte: too short for any mark
    public void A_prototxt_with_a_utf16_mark_is_decoded_before_it_is_parsed(byte[] bytes)
    {
        // Undecoded, 0xFF or 0xFE is no UTF-8 and fails the parse; decoded, each file is only white space, which has no
        // input. (Any ASCII in UTF-16 holds a NUL byte, refused as not text before decoding.)
        var path = Path.Combine(_directory, "utf16.prototxt");
        File.WriteAllBytes(path, bytes);
        Assert.Equal($"{path}: no input: give 'input' with 'input_shape' or 'input_dim', or an Input or Data layer",
            Assert.Throws<ModelFormatException>(() => CaffeImporter.Read(path)).Message);
    }

    [Fact]
    public void A_prototxt_over_the_limit_is_refused_naming_the_limit_and_the_format()
    {
        var large = Path.Combine(_directory, "large.prototxt");
        using (var stream = File.Create(large))
        {
            stream.SetLength(CaffeImporter.MaxFileBytes + 1); // sparse: no disk is written
        }

        Assert.Equal($"{large}: is larger than 512 MiB, the most CnnCost reads as a prototxt",
            Assert.Throws<ModelFormatException>(() => CaffeImporter.Read(large)).Message);
    }

    [Fact]
    public void A_directory_given_as_onnx_is_refused_by_name()
    {
        Assert.Equal($"{_directory}: is a directory, not a model file",
            Assert.Throws<ModelFormatException>(() => OnnxImporter.Read(_directory)).Message);
    }

    [Fact]
    public void A_prototxt_of_exactly_the_limit_is_read_not_refused_as_too_large()
    {
        // 512 MiB of zeros (sparse): at the limit, so it is read, and its first chunk of 65,536 bytes holds a NUL.
        var path = Path.Combine(_directory, "limit.prototxt");
        using (var stream = File.Create(path))
        {
            stream.SetLength(CaffeImporter.MaxFileBytes);
        }

        Assert.Equal($"{path}: is not text: it holds a NUL byte within its first 65,536 bytes",
            Assert.Throws<ModelFormatException>(() => CaffeImporter.Read(path)).Message);
    }

    [Fact]
    public void A_file_is_read_into_one_buffer_of_its_own_size()
    {
        // 1 MiB of text: one buffer of 1 MiB and one 64 KiB chunk, not a growing buffer, a copy, or a buffer of the limit.
        var path = Path.Combine(_directory, "text.prototxt");
        File.WriteAllBytes(path, Enumerable.Repeat((byte)' ', 1 << 20).ToArray());
        var allocated = GC.GetAllocatedBytesForCurrentThread();
        var bytes = ModelFile.ReadAllBytes(path, CaffeImporter.MaxFileBytes, "a prototxt", ModelFile.Content.Text);
        allocated = GC.GetAllocatedBytesForCurrentThread() - allocated;
        Assert.Equal(1 << 20, bytes.Length);
        Assert.True(allocated < (1 << 20) + (1 << 19), $"reading 1 MiB allocated {allocated:N0} bytes");
    }

    [Fact]
    public void A_file_refused_from_its_first_byte_is_closed()
    {
        // The open file holds a shared lock (FileShare.Read); a file left open would refuse this exclusive open.
        var path = Path.Combine(_directory, "closed.onnx");
        File.WriteAllBytes(path, [0x00]);
        Assert.Throws<ModelFormatException>(() => OnnxImporter.Read(path));
        using var exclusive = new FileStream(path, FileMode.Open, FileAccess.ReadWrite, FileShare.None);
        Assert.Equal(1, exclusive.Length);
    }
}
