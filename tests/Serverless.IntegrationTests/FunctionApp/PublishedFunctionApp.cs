using System.Diagnostics;
using Serverless.Tests.Fixtures;

namespace Serverless.Tests.FunctionApp;

/// <summary>
/// `dotnet publish functions/Serverless.Functions -c Release -o &lt;temp&gt;` run once for the test class: the folder
/// the Functions host would be given.
/// </summary>
public sealed class PublishedFunctionApp : IAsyncLifetime
{
    public string Directory { get; } = Path.Combine(Path.GetTempPath(), "serverless-publish-" + Guid.NewGuid().ToString("N"));

    public async Task InitializeAsync()
    {
        var publish = new ProcessStartInfo("dotnet")
        {
            ArgumentList = { "publish", Path.Combine(RepositoryPaths.Root, "functions", "Serverless.Functions"), "-c", "Release", "-o", Directory, "--nologo" },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(publish)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, $"dotnet publish failed:\n{await output}\n{await errors}");
    }

    public Task DisposeAsync()
    {
        System.IO.Directory.Delete(Directory, recursive: true);
        return Task.CompletedTask;
    }
}
