namespace CnnCost.Import;

/// <summary>
/// A model file that cannot be read: malformed text or bytes, an unsupported layer or operator, a value out of
/// range. The message names the file and the line (prototxt) or node (ONNX). Importers throw no other exception
/// for bad input.
/// </summary>
public sealed class ModelFormatException : CnnCostException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="file">The file's name as the user gave it.</param>
    /// <param name="location">The line (<c>line 12</c>) or node (<c>node 'Conv_3'</c>), or null.</param>
    /// <param name="reason">What is wrong.</param>
    public ModelFormatException(string file, string? location, string reason)
        : base(location is null ? $"{file}: {reason}" : $"{file}: {location}: {reason}")
    {
        File = file;
        Location = location;
        Reason = reason;
    }

    /// <summary>The file.</summary>
    public string File { get; }

    /// <summary>The line or node, if known.</summary>
    public string? Location { get; }

    /// <summary>What is wrong.</summary>
    public string Reason { get; }
}
