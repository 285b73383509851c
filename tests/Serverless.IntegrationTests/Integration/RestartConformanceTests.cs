using System.Net;
using Azure.Storage.Blobs;
using Serverless.Testing;
using Serverless.Tests.Fixtures;

namespace Serverless.Tests.Integration;

/// <summary>
/// Whatever the server keeps in its data folder (downloaded versions, optimized graphs) is invisible in its answers:
/// the whole conformance corpus answers, and describes itself, the same before and after a restart on that folder.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class RestartConformanceTests(AzuriteFixture azurite)
{
    private static string Models => Path.Combine(RepositoryPaths.Conformance, "models");

    [NeedsSharedFact]
    public async Task Restart_FolderRepository_EveryCaseAnswersAndDescribesItselfTheSame() =>
        await AssertSameAcrossRestartAsync(("Models:Repository", Models));

    [NeedsSharedFact]
    public async Task Restart_BlobRepository_EveryCaseAnswersAndDescribesItselfTheSame()
    {
        var container = new BlobContainerClient(azurite.ConnectionString, "conformance-" + Guid.NewGuid().ToString("N")[..8]);
        await container.CreateAsync();
        try
        {
            foreach (var file in Directory.EnumerateFiles(Models, "*", SearchOption.AllDirectories))
            {
                await using var content = File.OpenRead(file);
                await container.UploadBlobAsync("repo/" + Path.GetRelativePath(Models, file).Replace('\\', '/'), content);
            }
            await AssertSameAcrossRestartAsync(("Models:Repository", $"{azurite.BlobEndpoint}/{container.Name}/repo"), ("Models:ConnectionString", azurite.ConnectionString));
        }
        finally
        {
            await container.DeleteIfExistsAsync();
        }
    }

    private static async Task AssertSameAcrossRestartAsync(params (string Key, string Value)[] settings)
    {
        var data = ServerlessHost.NewDataDirectory();
        try
        {
            Dictionary<string, string> before;
            await using (var first = await ServerlessHost.StartAsync(data, settings))
            {
                before = await ServeEveryCaseAsync(first.Client);
                // The optimized graphs are saved in the background after each model's first answer: restart once every
                // model has kept its graph or refused to (the second start must open what the first one left).
                await Eventually.TrueAsync(() => ConformanceCase.Names().All(name => Kept(data, name)), "saving every model's optimized graph", TimeSpan.FromSeconds(120));
            }
            await using var second = await ServerlessHost.StartAsync(data, settings);
            var after = await ServeEveryCaseAsync(second.Client);

            foreach (var (what, answer) in before)
            {
                Assert.True(answer == after[what], $"{what} changed across the restart:\nbefore {answer}\nafter  {after[what]}");
            }
        }
        finally
        {
            Directory.Delete(data, recursive: true);
        }
    }

    /// <summary>Each case's inference checked against its reference, and its metadata and configuration as served.</summary>
    private static async Task<Dictionary<string, string>> ServeEveryCaseAsync(HttpClient client)
    {
        var answers = new Dictionary<string, string>();
        foreach (var name in ConformanceCase.Names())
        {
            var response = await client.InferAsync(name, await ConformanceCase.RequestAsync(name));
            var outputs = (await response.ReadJsonAsync(HttpStatusCode.OK)).GetProperty("outputs");
            await ConformanceCase.AssertMatchesAsync(name, outputs);
            answers[$"{name} infer"] = outputs.GetRawText();
            answers[$"{name} metadata"] = await (await client.GetAsync($"/v2/models/{name}")).Content.ReadAsStringAsync();
            answers[$"{name} config"] = await (await client.GetAsync($"/v2/models/{name}/config")).Content.ReadAsStringAsync();
        }
        return answers;
    }

    private static bool Kept(string data, string model)
    {
        var folder = Path.Combine(data, "optimized-models", model, "1");
        return Directory.Exists(folder) && Directory.EnumerateFiles(folder).Any(f => f.EndsWith(".onnx", StringComparison.Ordinal) || f.EndsWith(".unusable", StringComparison.Ordinal));
    }
}
