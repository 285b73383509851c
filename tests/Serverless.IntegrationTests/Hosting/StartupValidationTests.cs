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
