using Microsoft.Extensions.Options;
using Serverless.Functions.Hosting;
using Serverless.Tests.Fixtures;

namespace Serverless.Tests.Hosting;

/// <summary>A mistyped setting stops the app before it serves, with a validation error that names the setting.</summary>
public sealed class StartupValidationTests
{
    [Theory]
    [InlineData("Inference:ExecutionProvider", "tpu")]
    [InlineData("Inference:ExecutionProvider", "1")]
    [InlineData("Metering:Store", "blob")]
    [InlineData("Metering:Store", "table,sqlite")]
    [InlineData("Metering:Durability", "sometimes")]
    public async Task Start_EnumSettingNamesNoMember_FailsNamingTheSettingAndItsMembers(string key, string value)
    {
        var error = await StartFailureAsync((key, value));

        Assert.Contains($"{key} must be one of ", error.Message);
        Assert.Contains($"'{value}' is not", error.Message);
    }

    [Theory]
    [InlineData("iris-mlp:01")]
    [InlineData("iris-mlp:latest")]
    [InlineData("../iris-mlp")]
    [InlineData(".hidden")]
    public async Task Start_PreloadEntryNotNameOrNameAndVersion_FailsNamingTheSetting(string entry)
    {
        var error = await StartFailureAsync(("Models:Repository", RepositoryPaths.SampleModels), ("Models:Preload:0", "iris-mlp"), ("Models:Preload:1", entry));

        Assert.Contains($"Models:Preload entry '{entry}'", error.Message);
    }

    /// <summary>One rule of every section, so each section's generated validator is seen to run at start-up.</summary>
    [Theory]
    [InlineData("Inference:IntraOpThreads", "2000", "IntraOpThreads")]
    [InlineData("Inference:MaxRequestBytes", "10", "MaxRequestBytes")]
    [InlineData("Hosting:DrainTimeoutSeconds", "-1", "DrainTimeoutSeconds")]
    [InlineData("Models:MaxLoadedBytes", "0", "MaxLoadedBytes")]
    [InlineData("Embeddings:MaxInputsPerCall", "0", "MaxInputsPerCall")]
    [InlineData("Generation:BusyRetryAfterSeconds", "0", "BusyRetryAfterSeconds")]
    [InlineData("OpenAi:MaxPrompts", "0", "MaxPrompts")]
    [InlineData("Jobs:RowBatchSize", "0", "RowBatchSize")]
    [InlineData("Jobs:Queue", "two--dashes", "Jobs:Queue must be a valid storage queue name")]
    [InlineData("Jobs:Queue", "", "Jobs:Queue must be a valid storage queue name")]
    [InlineData("Jobs:Table", "x1", "Jobs:Table must be a valid table name")]
    [InlineData("Metering:MaxJournalBytes", "5", "Metering:MaxJournalBytes must be between")]
    [InlineData("Metering:MaxJournalBytes", "1099511627777", "Metering:MaxJournalBytes must be between")]
    [InlineData("Metering:MaxCommitLagMilliseconds", "9", "Metering:MaxCommitLagMilliseconds must be between 10 and 60000")]
    [InlineData("Metering:TablePrefix", "1usage", "Metering:TablePrefix must be letters and digits")]
    [InlineData("Metering:DefaultPlan:QuotaUnit", "bytes", "Metering:DefaultPlan:QuotaUnit must be calls, rows or tokens")]
    public async Task Start_SettingOutsideItsRule_FailsNamingTheSetting(string key, string value, string named)
    {
        var error = await StartFailureAsync((key, value));

        Assert.Contains(named, error.Message);
    }

    [Fact]
    public async Task Start_EmptyDataDirectory_FailsNamingTheSetting()
    {
        var error = await StartFailureAsync(("Storage:DataDirectory", ""));

        Assert.Contains("Storage:DataDirectory", error.Message);
    }

    private static async Task<OptionsValidationException> StartFailureAsync(params (string Key, string Value)[] settings)
    {
        var data = ServerlessHost.NewDataDirectory();
        try
        {
            return await Assert.ThrowsAsync<OptionsValidationException>(async () =>
            {
                await using var app = ServerlessApplication.BuildStandalone(
                    ["--urls=http://127.0.0.1:0", $"--Storage:DataDirectory={data}", "--Logging:LogLevel:Default=None", .. settings.Select(s => $"--{s.Key}={s.Value}")]);
                await app.StartAsync();
            });
        }
        finally
        {
            if (Directory.Exists(data))
            {
                Directory.Delete(data, recursive: true);
            }
        }
    }
}
