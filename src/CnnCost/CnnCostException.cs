namespace CnnCost;

/// <summary>
/// The base of every error CnnCost reports about its input: a network that cannot exist, a cost that
/// does not fit in 64 bits, a value out of range. Its message is one sentence meant for the user and
/// names the layer (or file and line) at fault.
/// </summary>
public class CnnCostException : Exception
{
    /// <summary>Creates the exception with a user-facing message.</summary>
    /// <param name="message">One sentence naming what is wrong and where.</param>
    public CnnCostException(string message) : base(message)
    {
    }

    /// <summary>Creates the exception with a user-facing message and the error that caused it.</summary>
    /// <param name="message">One sentence naming what is wrong and where.</param>
    /// <param name="innerException">The underlying error.</param>
    public CnnCostException(string message, Exception innerException) : base(message, innerException)
    {
    }
}

/// <summary>
/// A network that cannot exist: a bad layer parameter, a shape that does not fit, a broken graph.
/// <see cref="LayerName"/> names the offending layer when there is one.
/// </summary>
public sealed class NetworkDefinitionException : CnnCostException
{
    /// <summary>Creates the exception for a problem in one layer.</summary>
    /// <param name="layerName">The layer at fault, or <see langword="null"/> for a problem of the whole graph.</param>
    /// <param name="reason">What is wrong, without the layer name (it is prefixed).</param>
    public NetworkDefinitionException(string? layerName, string reason)
        : base(layerName is null ? reason : $"layer '{layerName}': {reason}")
    {
        LayerName = layerName;
        Reason = reason;
    }

    /// <summary>The layer at fault, or <see langword="null"/> when the problem belongs to the whole graph.</summary>
    public string? LayerName { get; }

    /// <summary>What is wrong, without the layer name.</summary>
    public string Reason { get; }
}

/// <summary>A cost that does not fit in a signed 64-bit integer. CnnCost never reports a wrapped number.</summary>
public sealed class CostOverflowException : CnnCostException
{
    /// <summary>Creates the exception for the layer whose count overflowed.</summary>
    /// <param name="layerName">The layer whose count overflowed.</param>
    /// <param name="innerException">The arithmetic overflow.</param>
    public CostOverflowException(string layerName, OverflowException innerException)
        : base($"layer '{layerName}': a count exceeds 2^63-1 (9.2e18); reduce the batch or the layer's size", innerException)
    {
        LayerName = layerName;
    }

    /// <summary>The layer whose count overflowed.</summary>
    public string LayerName { get; }
}
