using CnnCost.Graph;
using CnnCost.IntegrationTests.Samples;
using PublicApiGenerator;
using Xunit;

namespace CnnCost.IntegrationTests.PublicApi;

/// <summary>
/// The library's public surface, recorded: a change to it (a type or member added, removed or changed) fails this test
/// until <c>CnnCost.approved.txt</c> is rewritten with <c>CNNCOST_UPDATE_GOLDEN=1 dotnet test tests/CnnCost.IntegrationTests
/// --filter FullyQualifiedName~PublicApiTests</c>, so that the change shows in review as a diff of that file.
/// </summary>
public class PublicApiTests
{
    [Fact]
    public void The_public_api_is_the_approved_one()
    {
        var api = typeof(Network).Assembly.GeneratePublicApi(new ApiGeneratorOptions { IncludeAssemblyAttributes = false }).ReplaceLineEndings("\n");
        var path = Path.Combine(SampleTests.RepositoryRoot(), "tests", "CnnCost.IntegrationTests", "PublicApi", "CnnCost.approved.txt");
        if (Environment.GetEnvironmentVariable("CNNCOST_UPDATE_GOLDEN") == "1")
        {
            File.WriteAllText(path, api);
            Assert.Skip($"CNNCOST_UPDATE_GOLDEN=1: wrote {path}; review and commit it");
        }

        Assert.True(File.Exists(path), $"{path} is missing: write it with CNNCOST_UPDATE_GOLDEN=1");
        Assert.Equal(File.ReadAllText(path).ReplaceLineEndings("\n"), api);
    }
}
