using Microsoft.Extensions.Options;
using Serverless.Tests.Fixtures;

namespace Serverless.Tests.OpenAi;

/// <summary>The text routes' bounds are validated at start-up: a bad one stops the app naming the setting.</summary>
public sealed class OpenAiStartupValidationTests
{
    [Theory]
    [InlineData("OpenAi:MaxChoices", "0", "MaxChoices")]
    [InlineData("OpenAi:MaxRequestBytes", "10", "MaxRequestBytes")]
    [InlineData("OpenAi:DefaultChatMaxTokens", "5000", "OpenAi:DefaultChatMaxTokens (5000) must not exceed OpenAi:MaxCompletionTokens (4096)")]
    public async Task Start_BoundOutOfRange_FailsNamingTheSetting(string key, string value, string named)
    {
        var data = ServerlessHost.NewDataDirectory();
        try
        {
            var error = await Assert.ThrowsAsync<OptionsValidationException>(async () =>
            {
                await using var app = Serverless.Functions.Hosting.ServerlessApplication.BuildStandalone(
                    ["--urls=http://127.0.0.1:0", $"--Storage:DataDirectory={data}", "--Logging:LogLevel:Default=None", $"--{key}={value}"]);
                await app.StartAsync();
            });

            Assert.Contains(named, error.Message);
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
