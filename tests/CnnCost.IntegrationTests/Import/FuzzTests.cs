using CnnCost.Benchmarks.Fuzzing;
using Xunit;

namespace CnnCost.IntegrationTests.Import;

/// <summary>
/// Small samples of both fuzzing harnesses (the full runs: <c>benchmarks … -- fuzz 1000000</c> for the importers and
/// <c>-- fuzz-cli 10000</c> for the command line end to end).
/// </summary>
public class FuzzTests
{
    [Theory]
    [InlineData(11)]
    [InlineData(12)]
    public void Generated_and_mutated_files_end_in_an_import_that_analyses_cleanly_or_the_documented_exception(int seed)
    {
        var report = new ImportFuzzer().Run(2_000, seed);
        Assert.Empty(report.Failures);
        // No time limit here: on a shared, loaded machine one GC pause can pass a second. The fuzz command
        // (benchmarks) reports inputs over a second; allocation below stands in for work and does not vary with load.
        Assert.True(report.Imported > 0, "some inputs should import");
        Assert.True(report.Rejected > 0, "some inputs should be rejected");
        Assert.True(report.LargestAllocation < 256L << 20, $"one input allocated {report.LargestAllocation} bytes");
    }

    [Fact]
    public void Command_lines_on_generated_files_and_odd_paths_exit_0_or_2_with_one_clean_line()
    {
        var report = new CliFuzzer().Run(400, 21);
        Assert.Empty(report.Failures);
        Assert.True(report.Succeeded > 0, "some command lines should succeed");
        Assert.True(report.Refused > 0, "some command lines should be refused");
    }

    [Fact]
    public void Every_operator_the_importers_accept_appears_in_unmutated_generated_models()
    {
        var random = new Random(3);
        var text = string.Concat(Enumerable.Range(0, 300).Select(_ => ModelGenerator.Prototxt(random, mutate: false)));
        foreach (var type in new[] { "Convolution", "Pooling", "InnerProduct", "ReLU", "PReLU", "ReLU6", "Sigmoid", "TanH", "Dropout", "LRN", "BatchNorm", "Scale", "Concat", "Eltwise", "Softmax", "Flatten", "Split", "CONVOLUTION", "group:", "stride", "include", "round_mode: CEIL", "MemoryData", "input_shape" })
        {
            Assert.Contains(type, text, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Every_operator_and_padding_attribute_the_onnx_importer_accepts_appears_in_unmutated_generated_models()
    {
        var random = new Random(4);
        var vocabulary = Enumerable.Range(0, 300).SelectMany(_ => ModelGenerator.OnnxVocabulary(ModelGenerator.Onnx(random, mutate: false))).ToHashSet();
        foreach (var op in new[] { "Conv", "Conv:group", "Conv:strides", "Conv:dilations", "Conv:kernel_shape", "Conv:auto_pad=SAME_UPPER", "Conv:auto_pad=SAME_LOWER", "Conv:auto_pad=VALID", "MaxPool:ceil_mode", "AveragePool", "GlobalAveragePool", "GlobalMaxPool", "Gemm:transB", "MatMul", "Add", "Sum", "Concat:axis", "Relu", "Clip", "LeakyRelu", "PRelu", "Sigmoid", "Tanh", "BatchNormalization", "LRN:size", "Softmax", "Flatten", "Reshape", "Identity", "Dropout", "Squeeze", "Unsqueeze", "Constant:value" })
        {
            Assert.Contains(op, vocabulary);
        }
    }
}
