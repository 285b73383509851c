using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Azure.Storage.Blobs;
using Serverless.Core.Infrastructure.Storage;
using Serverless.Core.Repository;
using Serverless.Tests.Fixtures;
using static Serverless.Tests.Fixtures.ExternalDataModels;

namespace Serverless.Tests.Integration;

/// <summary>
/// Models whose weights live in ONNX external-data files, served from a folder and from a real (Azurite) blob
/// container by the real ONNX Runtime: a version is its whole folder.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class ExternalDataTests(AzuriteFixture azurite) : IAsyncLifetime
{
    private const string Prefix = "large";
    private readonly BlobContainerClient _container = new(azurite.ConnectionString, "external-" + Guid.NewGuid().ToString("N")[..8]);
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "serverless-external-" + Guid.NewGuid().ToString("N"));

    public async Task InitializeAsync()
    {
        await _container.CreateAsync();
        foreach (var model in new[] { Inline, OneFile, Split })
        {
            WriteTo(_folder, model);
            await UploadAsync(model);
        }
    }

    public async Task DisposeAsync()
    {
        await _container.DeleteIfExistsAsync();
        Directory.Delete(_folder, recursive: true);
    }

    private async Task UploadAsync(string model, Func<string, byte[], byte[]>? change = null)
    {
        foreach (var (relative, bytes) in Files(model))
        {
            await _container.GetBlobClient($"{Prefix}/{model}/1/{relative}").UploadAsync(BinaryData.FromBytes(change?.Invoke(relative, bytes) ?? bytes), overwrite: true);
        }
    }

    private Task<ServerlessHost> StartFromBlobsAsync(string? dataDirectory = null, params (string Key, string Value)[] settings) =>
        ServerlessHost.StartAsync(dataDirectory, [("Models:Repository", $"{azurite.BlobEndpoint}/{_container.Name}/{Prefix}"),
            ("Models:ConnectionString", azurite.ConnectionString), .. settings]);

    private static async Task<string> OutputsAsync(ServerlessHost host, string model)
    {
        var json = await (await host.Client.InferAsync(model, Request)).ReadJsonAsync(HttpStatusCode.OK);
        return json.GetProperty("outputs")[0].GetProperty("data").GetRawText();
    }

    [Fact]
    public async Task Infer_FolderExternalDataInOneFileOrSplitInSubfolder_AnswersExactlyLikeInline()
    {
        await using var host = await ServerlessHost.StartAsync(("Models:Repository", _folder));

        var inline = await OutputsAsync(host, Inline);

        Assert.Equal(inline, await OutputsAsync(host, OneFile));
        Assert.Equal(inline, await OutputsAsync(host, Split));
    }

    [Fact]
    public async Task Infer_BlobExternalDataInOneFileOrSplitInSubfolder_AnswersExactlyLikeInline()
    {
        await using var host = await StartFromBlobsAsync();

        var inline = await OutputsAsync(host, Inline);

        Assert.Equal(inline, await OutputsAsync(host, OneFile));
        Assert.Equal(inline, await OutputsAsync(host, Split));
        // Each file once: the inline model.onnx, model.onnx + weights.bin, model.onnx + one file per layer (three).
        Assert.Equal(1 + 2 + 4, ((BlobModelRepository)host.GetRequiredService<IModelRepository>()).Downloads);
    }

    [Fact]
    public async Task Infer_TruncatedExternalBlob_Returns503NamingTheFileThenRecoversOnceFixed()
    {
        await UploadAsync(OneFile, change: (relative, bytes) => relative == OneFileWeights ? bytes[..(bytes.Length / 2)] : bytes);
        await using var host = await StartFromBlobsAsync();

        await (await host.Client.InferAsync(OneFile, Request)).AssertErrorAsync(HttpStatusCode.ServiceUnavailable, $"external data file '{OneFileWeights}'");
        await UploadAsync(OneFile);

        Assert.Equal(await OutputsAsync(host, Inline), await OutputsAsync(host, OneFile));
    }

    [Fact]
    public async Task Infer_MissingExternalFileInFolder_Returns503NamingTheFile()
    {
        File.Delete(Path.Combine(_folder, Split, "1", "weights", "dense1.bin"));
        await using var host = await ServerlessHost.StartAsync(("Models:Repository", _folder));

        await (await host.Client.InferAsync(Split, Request)).AssertErrorAsync(HttpStatusCode.ServiceUnavailable, "external data file 'weights/dense1.bin'");
        var index = await (await host.Client.PostAsync("/v2/repository/index", null)).ReadJsonAsync(HttpStatusCode.OK);
        var split = index.EnumerateArray().Single(e => e.GetProperty("name").GetString() == Split);
        Assert.Equal("UNAVAILABLE", split.GetProperty("state").GetString());
    }

    [Fact]
    public async Task Infer_ExternalBlobChanged_ServesTheNewWeightsOnceReloaded()
    {
        await using var host = await StartFromBlobsAsync();
        var before = await OutputsAsync(host, Split);
        // Same shapes, other weights: only the weight files (and so their ETags) change, model.onnx stays as it is.
        foreach (var (relative, bytes) in Files(Split, seed: 8).Where(f => f.Key != "model.onnx"))
        {
            await _container.GetBlobClient($"{Prefix}/{Split}/1/{relative}").UploadAsync(BinaryData.FromBytes(bytes), overwrite: true);
        }

        await (await host.Client.PostAsync($"/v2/repository/models/{Split}/unload", null)).ReadJsonAsync(HttpStatusCode.OK);
        var after = await OutputsAsync(host, Split);

        Assert.NotEqual(before, after);
        await using var reference = await ServerlessHost.StartAsync(("Models:Repository", ReferenceFolder(seed: 8)));
        Assert.Equal(await OutputsAsync(reference, Inline), after);
    }

    [Fact]
    public async Task Restart_SameDataDirectory_ReusesEveryFileOfTheVersionWithoutDownloading()
    {
        var data = ServerlessHost.NewDataDirectory();
        try
        {
            await using (var first = await StartFromBlobsAsync(data))
            {
                await OutputsAsync(first, Split);
            }
            await using var second = await StartFromBlobsAsync(data);

            await OutputsAsync(second, Split);

            Assert.Equal(0, ((BlobModelRepository)second.GetRequiredService<IModelRepository>()).Downloads);
        }
        finally
        {
            Directory.Delete(data, recursive: true);
        }
    }

    [Fact]
    public async Task Infer_VersionLargerThanTheWholeBudget_Returns503SayingSoWithoutDownloading()
    {
        var modelBytes = Files(Split).Values.Sum(f => (long)f.Length);
        await using var host = await StartFromBlobsAsync(null, ("Models:MaxLoadedBytes", (modelBytes - 1).ToString(System.Globalization.CultureInfo.InvariantCulture)));

        var error = await (await host.Client.InferAsync(Split, Request)).AssertErrorAsync(HttpStatusCode.ServiceUnavailable, "larger than the whole Models:MaxLoadedBytes budget");

        Assert.Contains(modelBytes.ToString(System.Globalization.CultureInfo.InvariantCulture), error);
        Assert.Equal(0, ((BlobModelRepository)host.GetRequiredService<IModelRepository>()).Downloads);
    }

    [Fact]
    public async Task Job_ModelWithExternalDataSplitInSubfolder_ScoresLikeTheInlineModel()
    {
        await using var host = await ServerlessHost.StartAsync(("Models:Repository", _folder));
        var jobs = Path.Combine(host.DataDirectory, "jobs");
        Directory.CreateDirectory(jobs);
        await File.WriteAllTextAsync(Path.Combine(jobs, "rows.jsonl"), string.Concat(Enumerable.Range(0, 20).Select(r =>
            $"{{\"id\":\"r{r}\",\"features\":[{string.Join(",", Enumerable.Range(0, InputWidth).Select(i => ((r + i) % 9 - 4) * 0.125f).Select(v => v.ToString(System.Globalization.CultureInfo.InvariantCulture)))}]}}\n")));

        async Task<List<string>> ScoreAsync(string model)
        {
            var submitted = await host.Client.PostAsJsonAsync("/jobs", new { id = $"job-{model}", model, input = "rows.jsonl", output = $"out/{model}" });
            Assert.Equal(HttpStatusCode.Accepted, submitted.StatusCode);
            var status = await Jobs.JobPolling.WaitForFinishAsync(host.Client, $"job-{model}");
            Assert.Equal("succeeded", status.GetProperty("state").GetString());
            var rows = Jobs.JobOutputRows.Jsonl(await File.ReadAllTextAsync(Path.Combine(jobs, "out", model, "part-00000.jsonl")));
            return rows.Select(r => r.GetProperty("logits").GetRawText()).ToList();
        }

        var inline = await ScoreAsync(Inline);

        Assert.Equal(20, inline.Count);
        Assert.Equal(inline, await ScoreAsync(Split));
    }

    private string ReferenceFolder(int seed)
    {
        var folder = Path.Combine(_folder, $"reference-{seed}");
        WriteTo(folder, Inline, seed: seed);
        return folder;
    }
}
