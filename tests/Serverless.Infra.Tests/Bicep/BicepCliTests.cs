using Serverless.Infra.Tests.Support;

namespace Serverless.Infra.Tests.Bicep;

[Collection(MainTemplateCollection.Name)]
public sealed class BicepCliTests(MainTemplateFixture fixture)
{
    [Fact]
    public void BicepBuild_MainTemplate_SucceedsWithoutDiagnostics()
    {
        Assert.True(fixture.Build.ExitCode == 0, fixture.Build.AllOutput);
        Assert.Equal("", fixture.Build.StandardError.Trim());
        Assert.NotEmpty(fixture.Template.Resources);
    }

    [Fact]
    public async Task BicepLint_EveryInfraFile_ReportsNoWarningsOrErrors()
    {
        // `bicep lint main.bicep` does not surface warnings inside modules, so lint every file.
        var lint = await BicepCli.RunAsync("lint", "--pattern", "**/*.bicep");

        Assert.True(lint.ExitCode == 0, lint.AllOutput);
        Assert.Equal("", lint.AllOutput);
    }

    [Fact]
    public void Suppressions_EveryDisableNextLine_IsExplainedByTheCommentAbove()
    {
        foreach (var file in Directory.EnumerateFiles(Repository.Infra, "*.bicep", SearchOption.AllDirectories))
        {
            var lines = File.ReadAllLines(file);
            for (var i = 0; i < lines.Length; i++)
            {
                if (!lines[i].TrimStart().StartsWith("#disable", StringComparison.Ordinal))
                {
                    continue;
                }

                var reason = i > 0 ? lines[i - 1].Trim() : "";
                Assert.True(reason.StartsWith("//", StringComparison.Ordinal) && reason.Length > 20,
                    $"{Path.GetRelativePath(Repository.Root, file)}:{i + 1} suppresses a diagnostic without a comment saying why.");
            }
        }
    }
}
