using CnnCost.Changes;
using CnnCost.Dissertation;
using CnnCost.Reporting;
using Xunit;

namespace CnnCost.Tests.Changes;

public class NinCasesTests
{
    private static ChangeReport Case(string table) => NinTables.Analyze(NinTables.Cases.Single(c => c.Table == table));

    [Theory]
    [InlineData("4.2", ChangeScope.None, "30.4", "2.27")]
    [InlineData("4.3", ChangeScope.Local, "30.8", "2.91")]
    [InlineData("4.4", ChangeScope.Local, "33.9", "2.57")]
    [InlineData("4.5", ChangeScope.Local, "41.0", "2.99")]
    [InlineData("4.6", ChangeScope.Local, "42.7", "2.49")] // 42.6 MB without biases, below
    [InlineData("4.7", ChangeScope.Global, "30.4", "8.65")]
    [InlineData("4.8", ChangeScope.Global, "30.4", "9.67")]
    public void Totals_and_scope_of_each_case(string table, ChangeScope scope, string megabytes, string teraflops)
    {
        var change = Case(table);
        Assert.Equal(scope, change.Scope);
        Assert.Equal(megabytes, Units.Significant(change.Modified.Totals.ParameterBytes / 1e6));
        Assert.Equal(teraflops, Units.Significant(change.Modified.Totals.Flops / 1e12));
    }

    [Fact]
    public void Table_46_prints_its_parameter_total_without_biases()
    {
        var ninCase = NinTables.Cases.Single(c => c.Table == "4.6");
        var options = new CnnCost.Costs.AnalysisOptions { Batch = 1024, Conventions = CnnCost.Graph.Conventions.Caffe with { CountBiases = false } };
        var change = ChangeAnalysis.Analyze(CnnCost.Zoo.NetworkInNetwork.Create(), ninCase.Modifications, options);
        Assert.Equal("42.6", Units.Significant(change.Modified.Totals.ParameterBytes / 1e6));
    }

    [Fact]
    public void Table_45_is_local_and_reaches_conv7_to_pool9()
    {
        var change = Case("4.5");
        var owned = change.ChangedLayers.Where(n => !change.Modified[n].InPlace).ToArray();
        Assert.Equal(new[] { "conv7", "conv8", "conv9", "pool9" }, owned);
        Assert.Equal(144.0 / 169, change.Layers.Single(d => d.Name == "conv8").OutputRatio!.Value, 12); // printed 0.8x: erratum
    }

    [Fact]
    public void Table_47_pool12_stays_1x1_and_its_work_grows_4_69x()
    {
        var pool12 = Case("4.7").Layers.Single(d => d.Name == "pool12");
        Assert.Equal(1.0, pool12.OutputRatio);
        Assert.Equal(169.0 / 36, pool12.FlopRatio!.Value, 12);
        Assert.True(Case("4.7").Layers.Single(d => d.Name == "pool3").Removed);
    }

    [Fact]
    public void Every_printed_cell_of_table_41_agrees_or_has_a_known_erratum()
    {
        var comparisons = NinTables.Table41().Comparisons;
        Assert.Equal(7 * 6, comparisons.Length);
        Assert.All(comparisons, c => Assert.True(c.Agrees || c.Erratum is not null, $"{c.Table} {c.Row} {c.Column}: printed {c.Printed}, computed {c.Computed}"));
    }

    [Fact]
    public void Every_per_layer_delta_of_tables_43_to_48_agrees_or_has_a_known_erratum()
    {
        foreach (var ninCase in NinTables.Cases.Skip(1))
        {
            var comparisons = NinTables.ModifiedTable(ninCase).Comparisons;
            Assert.Equal(ninCase.PrintedLayers.Length * 4, comparisons.Length);
            Assert.All(comparisons, c => Assert.True(c.Agrees || c.Erratum is not null, $"{c.Table} {c.Row} {c.Column}: printed {c.Printed}, computed {c.Computed}"));
        }
    }

    [Fact]
    public void Every_erratum_still_marks_a_real_disagreement()
    {
        var all = NinTables.Cases.Skip(1).SelectMany(c => NinTables.ModifiedTable(c).Comparisons)
            .Concat(NinTables.Table41().Comparisons).Concat(NinTables.Table42().Comparisons)
            .Concat(ChapterTwo.WorkedExamples().Comparisons).Concat(ChapterThree.Table31().Comparisons);
        var disagreements = all.Where(c => !c.Agrees).Select(c => (c.Table, c.Row, c.Column)).ToHashSet();
        Assert.Equal(Errata.All.Select(e => (e.Table, e.Row, e.Column)).ToHashSet(), disagreements);
    }

    [Theory]
    [InlineData("4.5", "conv8", "Δ output", 144.0 / 169)]
    [InlineData("4.7", "pool6", "Δ output", 729.0 / 169)]
    [InlineData("4.7", "pool9", "Δ computation", 169.0 / 36)]
    [InlineData("4.7", "pool12", "Δ output", 1.0)]
    [InlineData("4.7", "pool12", "Δ computation", 169.0 / 36)]
    [InlineData("4.8", "conv4", "Δ computation", 3025.0 / 729)]
    [InlineData("4.8", "pool12", "Δ output", 1.0)]
    public void Errata_are_asserted_at_the_equations_value(string table, string layer, string column, double expected)
    {
        var delta = Case(table).Layers.Single(d => d.Name == layer);
        var actual = column == "Δ output" ? delta.OutputRatio : delta.FlopRatio;
        Assert.Equal(expected, actual!.Value, 12);
        Assert.NotNull(Errata.Find(table, layer, column));
    }

    [Fact]
    public void Computation_per_communication_falls_only_with_more_categories()
    {
        Assert.True(Case("4.6").Ratios.ComputationPerCommunication < 1);
        Assert.Contains("less well", Case("4.6").ScalingNote);
        Assert.True(Case("4.3").Ratios.ComputationPerCommunication > 1);
        Assert.Contains("more workers", Case("4.3").ScalingNote);
    }
}
