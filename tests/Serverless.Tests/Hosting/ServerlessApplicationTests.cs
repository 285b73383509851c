using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Configuration.Json;
using Serverless.Functions.Hosting;

namespace Serverless.Tests.Hosting;

public sealed class ServerlessApplicationTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "serverless-app-build-" + Guid.NewGuid().ToString("N"));

    [Fact]
    public async Task BuildStandalone_Defaults_DoesNotWatchItsSettingsFiles()
    {
        await using var app = ServerlessApplication.BuildStandalone([$"--Storage:DataDirectory={_directory}", "--urls=http://127.0.0.1:0"]);

        var json = ((IConfigurationRoot)app.Configuration).Providers.OfType<JsonConfigurationProvider>().ToList();
        Assert.NotEmpty(json);
        Assert.All(json, provider => Assert.False(provider.Source.ReloadOnChange, $"{provider.Source.Path} is watched"));
    }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }
}
