using System.Collections.Immutable;
using CnnCost.Measurement.Cpu;
using CnnCost.Measurement.Ilgpu;
using CnnCost.Measurement.OpenCl;

namespace CnnCost.Measurement;

/// <summary>The engines CnnCost measures with, by name, so that a caller opens one without knowing its type.</summary>
public static class ConvolutionEngines
{
    /// <summary>The engines' names: <c>cpu</c>, <c>opencl</c>, <c>ilgpu</c>.</summary>
    public static ImmutableArray<string> Names { get; } = ["cpu", "opencl", "ilgpu"];

    /// <summary>Opens an engine by name. It may be unavailable here: <see cref="IConvolutionEngine.Availability"/> says why.</summary>
    /// <param name="name">One of <see cref="Names"/>.</param>
    /// <param name="accelerator">
    /// For <c>ilgpu</c>, the accelerator to run on (<c>cuda</c>, <c>opencl</c> or <c>cpu</c>), or null for the fastest
    /// available; the other engines have no such choice and take null.
    /// </param>
    /// <returns>The engine; the caller disposes of it.</returns>
    /// <exception cref="ArgumentException">The name is not one of <see cref="Names"/>, or an accelerator is given to an engine without that choice.</exception>
    public static IConvolutionEngine Open(string name, string? accelerator = null)
    {
        if (accelerator is not null && name != "ilgpu")
        {
            throw new ArgumentException($"only the ilgpu engine runs on a chosen accelerator; the {name} engine has no such choice", nameof(accelerator));
        }

        return name switch
        {
            "cpu" => new CpuConvolutionEngine(),
            "opencl" => new OpenClConvolutionEngine(),
            "ilgpu" => new IlgpuConvolutionEngine(accelerator),
            _ => throw new ArgumentException($"engine '{name}' is not one of {string.Join(", ", Names)}", nameof(name)),
        };
    }
}
