namespace CnnCost.Import;

/// <summary>
/// Reads a model file with bounds: at most a given number of bytes (so <c>/dev/zero</c> or a runaway file ends in an
/// error, not in all of memory), and within a time limit to open (so a FIFO no one writes to ends in an error, not a hang).
/// </summary>
internal static class ModelFile
{
    /// <summary>How long opening a file may take before it is taken for a FIFO or device that will not answer.</summary>
    internal static readonly TimeSpan OpenTimeout = TimeSpan.FromSeconds(10);

    /// <summary>What a file must look like from its first bytes, so that garbage is refused before it is all read.</summary>
    public enum Content
    {
        /// <summary>Text: no NUL byte anywhere.</summary>
        Text,

        /// <summary>A protobuf message: its first byte is a tag with a field number of at least 1 and a known wire type.</summary>
        Protobuf,
    }

    /// <summary>Reads the whole file, refusing one larger than <paramref name="maxBytes"/> or not of the expected content.</summary>
    /// <param name="path">The file.</param>
    /// <param name="maxBytes">The most bytes the importer takes.</param>
    /// <param name="what">What the limit is for, for the message (e.g. <c>a prototxt</c>).</param>
    /// <param name="content">What the bytes must look like.</param>
    /// <returns>The bytes.</returns>
    /// <exception cref="ModelFormatException">The path is a directory, cannot be opened in time or read, is too large, or is not of the content.</exception>
    public static byte[] ReadAllBytes(string path, long maxBytes, string what, Content content)
    {
        using var stream = Open(path);
        return ReadAll(stream, path, maxBytes, what, content);
    }

    /// <summary>
    /// Opens the file for a reader that seeks: a regular file as it is, whatever its size, after its first byte is
    /// checked; a FIFO or device, which cannot be sought, read whole into memory within <paramref name="maxBytes"/>.
    /// </summary>
    /// <param name="path">The file.</param>
    /// <param name="maxBytes">The most bytes read from a source that cannot be sought.</param>
    /// <param name="what">What the limit is for, for the message.</param>
    /// <param name="content">What the bytes must look like.</param>
    /// <returns>A seekable stream at the file's start; the caller disposes it.</returns>
    /// <exception cref="ModelFormatException">As <see cref="ReadAllBytes"/>.</exception>
    public static Stream OpenSeekable(string path, long maxBytes, string what, Content content)
    {
        var stream = Open(path);
        if (!stream.CanSeek)
        {
            using (stream)
            {
                // Stryker disable once Boolean : the importers never write to the stream
                return new MemoryStream(ReadAll(stream, path, maxBytes, what, content), writable: false);
            }
        }

        try
        {
            var first = new byte[1];
            if (Read(stream, first, path) == 1)
            {
                Check(content, first, 1, 0, path);
            }

            stream.Seek(0, SeekOrigin.Begin);
            return stream;
        }
        catch
        {
            stream.Dispose();
            throw;
        }
    }

    private static byte[] ReadAll(FileStream stream, string path, long maxBytes, string what, Content content)
    {
        if (stream.CanSeek && stream.Length > maxBytes)
        {
            throw TooLarge(path, maxBytes, what);
        }

        // Read in chunks, one past the limit, whatever the file claims its length is (devices and /proc claim 0).
        // Sized from the file's claimed length when it has one, so that a large file is not copied as the buffer grows.
        using var buffer = new MemoryStream(stream.CanSeek ? (int)Math.Min(stream.Length, Math.Min(maxBytes, Array.MaxLength)) : 0);
        var chunk = new byte[1 << 16];
        int read;
        while ((read = Read(stream, chunk, path)) > 0)
        {
            if (buffer.Length + read > maxBytes)
            {
                throw TooLarge(path, maxBytes, what);
            }

            Check(content, chunk, read, buffer.Length, path);
            buffer.Write(chunk, 0, read);
        }

        // The buffer itself when the file filled it exactly (the usual case), instead of a copy.
        return buffer.Length == buffer.Capacity ? buffer.GetBuffer() : buffer.ToArray();
    }

    /// <summary>Checks <paramref name="read"/> bytes read at offset <paramref name="offset"/> of the file against the content expected.</summary>
    private static void Check(Content content, byte[] chunk, int read, long offset, string path)
    {
        if (content == Content.Text && Array.IndexOf(chunk, (byte)0, 0, read) >= 0)
        {
            throw new ModelFormatException(path, null, $"is not text: it holds a NUL byte within its first {offset + read:N0} bytes");
        }

        if (content == Content.Protobuf && offset == 0 && !IsProtobufTag(chunk[0]))
        {
            throw new ModelFormatException(path, null, $"is not an ONNX model: a protobuf message cannot start with byte 0x{chunk[0]:x2}");
        }
    }

    private static FileStream Open(string path)
    {
        if (Directory.Exists(path))
        {
            throw new ModelFormatException(path, null, "is a directory, not a model file");
        }

        // Opening a FIFO blocks until a writer comes; a background open that does not finish in time is given up.
        var opening = Task.Run(() => new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.SequentialScan));
        try
        {
            if (!opening.Wait(OpenTimeout))
            {
                _ = opening.ContinueWith(t => t.Result.Dispose(), TaskContinuationOptions.OnlyOnRanToCompletion);
                throw new ModelFormatException(path, null,
                    $"did not open within {OpenTimeout.TotalSeconds:0} s; CnnCost reads regular files, not FIFOs or devices");
            }

            return opening.Result;
        }
        catch (AggregateException error) when (error.InnerException is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            throw new ModelFormatException(path, null, $"cannot be read: {error.InnerException.Message}");
        }
    }

    private static int Read(FileStream stream, byte[] chunk, string path)
    {
        try
        {
            return stream.Read(chunk, 0, chunk.Length);
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException)
        {
            throw new ModelFormatException(path, null, $"cannot be read: {error.Message}");
        }
    }

    /// <summary>A tag's low three bits are its wire type (0, 1, 2 or 5 in use); the rest its field number, from 1.</summary>
    private static bool IsProtobufTag(byte first) => (first & 7) is 0 or 1 or 2 or 5 && first >> 3 != 0;

    private static ModelFormatException TooLarge(string path, long maxBytes, string what) =>
        new(path, null, $"is larger than {maxBytes / (1 << 20):N0} MiB, the most CnnCost reads as {what}");
}
