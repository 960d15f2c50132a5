using System.Text.Json;
using CnnCost.Costs;
using CnnCost.Dissertation;
using CnnCost.Reporting;
using CnnCost.Zoo;
using Xunit;

namespace CnnCost.Tests.Costs;

public class Table42Tests
{
    private static readonly CostReport Nin = CostModel.Analyze(NetworkInNetwork.Create(), new AnalysisOptions { Batch = 1024 });

    [Fact]
    public void Every_printed_cell_agrees_or_has_a_known_erratum()
    {
        var table = NinTables.Table42();
        Assert.Equal(18 * 4 - 1, table.Comparisons.Length); // 17 layers x 4 columns, total row without HxW
        Assert.All(table.Comparisons, c => Assert.True(c.Agrees || c.Erratum is not null,
            $"{c.Row} {c.Column}: printed {c.Printed}, computed {c.Computed}, and no erratum explains it"));
    }

    [Fact]
    public void Every_table_42_erratum_still_marks_a_real_disagreement()
    {
        var disagreements = NinTables.Table42().Comparisons.Where(c => !c.Agrees).Select(c => (c.Row, c.Column)).ToHashSet();
        var errata = Errata.All.Where(e => e.Table == "4.2").Select(e => (e.Row, e.Column)).ToHashSet();
        Assert.Equal(errata, disagreements);
    }

    [Theory]
    [InlineData("conv1", 55, 1190, 0.140, 216)]
    [InlineData("conv2", 55, 1190, 0.0372, 57.1)]
    [InlineData("pool3", 27, 287, 0, 0.645)] // printed 0.644: the equation gives 0.64497
    [InlineData("conv4", 27, 764, 2.46, 917)]
    [InlineData("conv5", 27, 764, 0.263, 97.8)]
    [InlineData("pool6", 13, 177, 0, 0.399)]
    [InlineData("conv7", 13, 266, 3.54, 306)]
    [InlineData("conv8", 13, 266, 0.591, 51.0)]
    [InlineData("pool9", 6, 56.6, 0, 0.127)]
    [InlineData("conv10", 6, 151, 14.2, 261)]
    [InlineData("conv11", 6, 151, 4.20, 77.3)]
    [InlineData("conv12", 6, 147, 4.10, 75.5)] // printed output 151 MB: erratum
    [InlineData("pool12", 1, 4.10, 0, 0.0737)]
    public void Each_layer_matches_table_42_at_three_significant_digits(string layer, int size, double outputMb, double paramsMb, double gflops)
    {
        var row = Nin[layer];
        Assert.Equal((size, size), (row.Output.Height, row.Output.Width));
        Assert.Equal(Units.Significant(outputMb), Units.Significant(row.OutputBytes / 1e6));
        Assert.Equal(Units.Significant(paramsMb), Units.Significant(row.ParameterBytes / 1e6));
        Assert.Equal(Units.Significant(gflops), Units.Significant(row.Flops / 1e9));
    }

    [Fact]
    public void Totals_are_30_4_MB_and_2_27_TF()
    {
        Assert.Equal("30.4", Units.Significant(Nin.Totals.ParameterBytes / 1e6));
        Assert.Equal("2.27", Units.Significant(Nin.Totals.Flops / 1e12));
        // The erratum: the column sums to 8.27 GB with the data layer and 7.63 GB without.
        Assert.Equal("8.27", Units.Significant(Nin.Totals.OutputBytes / 1e9));
        Assert.Equal("7.63", Units.Significant(Nin.Totals.ActivationBytes / 1e9));
    }

    [Fact]
    public void The_json_report_carries_the_same_numbers()
    {
        using var json = JsonDocument.Parse(JsonReport.ToJson(Nin));
        var root = json.RootElement;
        Assert.Equal("nin", root.GetProperty("model").GetString());
        Assert.Equal(1024, root.GetProperty("batch").GetInt32());
        Assert.Equal(4, root.GetProperty("bytesPerValue").GetDouble());
        Assert.Equal("inference", root.GetProperty("phase").GetString());
        Assert.Equal(227, root.GetProperty("input").GetProperty("height").GetInt32());
        var conv1 = root.GetProperty("layers").EnumerateArray().Single(l => l.GetProperty("name").GetString() == "conv1");
        // 3*96*11*11 = 34,848 weights; 2*34,848*55*55*1024 FLOPs (contracts.md's example prints 215,889,715,200, 614,400 short).
        Assert.Equal("convolution", conv1.GetProperty("kind").GetString());
        Assert.Equal(34848, conv1.GetProperty("weights").GetInt64());
        Assert.Equal(96, conv1.GetProperty("biases").GetInt64());
        Assert.Equal((34848 + 96) * 4, conv1.GetProperty("parameterBytes").GetInt64());
        Assert.Equal(96L * 55 * 55 * 1024, conv1.GetProperty("outputElements").GetInt64());
        Assert.Equal(96L * 55 * 55 * 1024 * 4, conv1.GetProperty("outputBytes").GetInt64());
        Assert.Equal(2L * 34848 * 55 * 55 * 1024, conv1.GetProperty("flops").GetInt64());
        var totals = root.GetProperty("totals");
        Assert.Equal("30.4", Units.Significant(totals.GetProperty("parameterBytes").GetInt64() / 1e6));
        Assert.Equal("2.27", Units.Significant(totals.GetProperty("flops").GetInt64() / 1e12));
        Assert.Equal("data", root.GetProperty("layers")[0].GetProperty("name").GetString());
    }

    [Fact]
    public void Without_biases_the_weights_alone_are_30_359_680_bytes()
    {
        // 4 x (34,848 + 2*9,216 + 614,400 + 2*65,536 + 884,736 + 2*147,456 + 3,538,944 + 1,048,576 + 1,024,000)
        var report = CostModel.Analyze(NetworkInNetwork.Create(), new AnalysisOptions
        {
            Batch = 1024,
            Conventions = NetworkInNetwork.Create().Conventions with { CountBiases = false },
        });
        Assert.Equal(30_359_680, report.Totals.ParameterBytes);
        Assert.Equal(139_392, report["conv1"].ParameterBytes);
    }
}
