using System.Net;
using System.Net.Http.Json;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Specialized;
using Serverless.Core.Infrastructure.Storage;
using Serverless.Core.Repository;
using Serverless.Tests.Fixtures;
using static Serverless.Tests.Integration.SampleRequests;

namespace Serverless.Tests.Integration;

/// <summary>The model repository in a real (Azurite) blob container: lazy download, single flight, cache reuse, new versions.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class BlobRepositoryTests(AzuriteFixture azurite) : IAsyncLifetime
{
    private const string Prefix = "team-a/models";
    private readonly BlobContainerClient _container = new(azurite.ConnectionString, "models-" + Guid.NewGuid().ToString("N")[..8]);

    private string RepositoryUrl => $"{azurite.BlobEndpoint}/{_container.Name}/{Prefix}";

    public async Task InitializeAsync()
    {
        await _container.CreateAsync();
        foreach (var file in Directory.EnumerateFiles(RepositoryPaths.SampleModels, "*", SearchOption.AllDirectories))
        {
            var relative = Path.GetRelativePath(RepositoryPaths.SampleModels, file).Replace('\\', '/');
            // Not the 90 MB sample embedding model: these tests are about the blob repository, and upload per test.
            if (relative.Contains('/') && !relative.StartsWith(SampleEmbeddingModel.Name + "/", StringComparison.Ordinal))
            {
                await _container.UploadBlobAsync($"{Prefix}/{relative}", File.OpenRead(file));
            }
        }
    }

    public async Task DisposeAsync() => await _container.DeleteIfExistsAsync();

    private Task<ServerlessHost> StartAsync(string? dataDirectory = null) => ServerlessHost.StartAsync(dataDirectory,
        ("Models:Repository", RepositoryUrl), ("Models:ConnectionString", azurite.ConnectionString));

    [Fact]
    public async Task Infer_ConcurrentFirstRequests_DownloadOnceAndAllSucceed()
    {
        await using var host = await StartAsync();

        var responses = await Task.WhenAll(Enumerable.Range(0, 16).Select(_ => host.Client.InferAsync("iris-mlp", IrisTwoRows)));

        Assert.All(responses, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        Assert.Equal(1, ((BlobModelRepository)host.GetRequiredService<IModelRepository>()).Downloads);
    }

    [Fact]
    public async Task Restart_SameDataDirectory_ReusesTheCachedModelWithoutDownloading()
    {
        var data = ServerlessHost.NewDataDirectory();
        try
        {
            await using (var first = await StartAsync(data))
            {
                await (await first.Client.InferAsync("iris-mlp", IrisTwoRows)).ReadJsonAsync(HttpStatusCode.OK);
            }
            await using var second = await StartAsync(data);

            await (await second.Client.InferAsync("iris-mlp", IrisTwoRows)).ReadJsonAsync(HttpStatusCode.OK);

            Assert.Equal(0, ((BlobModelRepository)second.GetRequiredService<IModelRepository>()).Downloads);
        }
        finally
        {
            Directory.Delete(data, recursive: true);
        }
    }

    [Fact]
    public async Task LoadCall_NewVersionUploaded_ServesItWithoutWaitingForRefresh()
    {
        await using var host = await StartAsync();
        await (await host.Client.InferAsync("linear-regressor", LinearRow)).ReadJsonAsync(HttpStatusCode.OK);
        await _container.UploadBlobAsync($"{Prefix}/linear-regressor/2/model.onnx",
            File.OpenRead(Path.Combine(RepositoryPaths.SampleModels, "linear-regressor", "1", "model.onnx")));

        await (await host.Client.PostAsync("/v2/repository/models/linear-regressor/load", null)).ReadJsonAsync(HttpStatusCode.OK);
        var json = await (await host.Client.InferAsync("linear-regressor", LinearRow)).ReadJsonAsync(HttpStatusCode.OK);

        Assert.Equal("2", json.GetProperty("model_version").GetString());
        var metadata = await (await host.Client.GetAsync("/v2/models/linear-regressor")).ReadJsonAsync(HttpStatusCode.OK);
        Assert.Equal(["1", "2"], metadata.GetProperty("versions").EnumerateArray().Select(v => v.GetString()));
    }

    [Fact]
    public async Task LoadCall_LoadedVersionsBlobReplaced_ReloadsItAndSaysSo()
    {
        await using var host = await StartAsync();
        await (await host.Client.PostAsync("/v2/repository/models/iris-mlp/load", null)).ReadJsonAsync(HttpStatusCode.OK);
        await _container.GetBlobClient($"{Prefix}/iris-mlp/1/model.onnx").UploadAsync(
            File.OpenRead(Path.Combine(RepositoryPaths.SampleModels, "binary-classifier", "1", "model.onnx")), overwrite: true);

        var reloaded = await (await host.Client.PostAsync("/v2/repository/models/iris-mlp/load", null)).ReadJsonAsync(HttpStatusCode.OK);
        var metadata = await (await host.Client.GetAsync("/v2/models/iris-mlp")).ReadJsonAsync(HttpStatusCode.OK);

        Assert.Equal("reloaded", reloaded.GetProperty("action").GetString());
        Assert.Equal(3, metadata.GetProperty("inputs")[0].GetProperty("shape")[1].GetInt32());
    }

    [Fact]
    public async Task Index_VersionFolderWithLeadingZero_NotListedAndNotServed()
    {
        await _container.UploadBlobAsync($"{Prefix}/leading-zero/01/model.onnx",
            File.OpenRead(Path.Combine(RepositoryPaths.SampleModels, "iris-mlp", "1", "model.onnx")));
        await using var host = await StartAsync();

        var index = await (await host.Client.PostAsync("/v2/repository/index", null)).ReadJsonAsync(HttpStatusCode.OK);
        var ready = await host.Client.GetAsync("/v2/models/leading-zero/versions/1/ready");

        Assert.DoesNotContain(index.EnumerateArray(), e => e.GetProperty("name").GetString() == "leading-zero");
        Assert.Equal(HttpStatusCode.NotFound, ready.StatusCode);
    }

    [Fact]
    public async Task Completions_GenerativeFolderWhoseDecoderHasAnotherName_IsFetchedWholeAndGenerates()
    {
        // What GenAI's model builder and published ONNX LLMs ship: genai_config.json names the decoder, no model.onnx.
        var source = Path.Combine(RepositoryPaths.SampleModels, "tiny-chat", "1");
        foreach (var file in Directory.EnumerateFiles(source))
        {
            var name = Path.GetFileName(file);
            var content = name switch
            {
                "model.onnx" => null,
                "genai_config.json" => BinaryData.FromString(File.ReadAllText(file).Replace("\"model.onnx\"", "\"decoder-fp32.onnx\"")),
                _ => BinaryData.FromBytes(File.ReadAllBytes(file)),
            };
            await _container.UploadBlobAsync($"{Prefix}/renamed-chat/3/{(content is null ? "decoder-fp32.onnx" : name)}", content ?? BinaryData.FromBytes(File.ReadAllBytes(file)));
        }
        await using var host = await StartAsync();

        var completion = await (await host.Client.PostAsync("/v1/completions", JsonContent.Create(new { model = "renamed-chat", prompt = "hello", max_tokens = 3, temperature = 0 })))
            .ReadJsonAsync(HttpStatusCode.OK);
        var metadata = await (await host.Client.GetAsync("/v2/models/renamed-chat")).ReadJsonAsync(HttpStatusCode.OK);

        Assert.Equal("renamed-chat", completion.GetProperty("model").GetString());
        Assert.True(completion.GetProperty("usage").GetProperty("prompt_tokens").GetInt32() > 0);
        Assert.Equal("generative", metadata.GetProperty("properties").GetProperty("kind").GetString());
        Assert.Equal(["3"], metadata.GetProperty("versions").EnumerateArray().Select(v => v.GetString()));
    }

    [Fact]
    public async Task Infer_CorruptModelBlob_Returns503WithReasonAndOtherModelsKeepServing()
    {
        await _container.UploadBlobAsync($"{Prefix}/broken/1/model.onnx", BinaryData.FromString("this is not an onnx file"));
        await using var host = await StartAsync();

        await (await host.Client.InferAsync("broken", IrisTwoRows)).AssertErrorAsync(HttpStatusCode.ServiceUnavailable, "ONNX Runtime cannot open the model");
        await (await host.Client.InferAsync("iris-mlp", IrisTwoRows)).ReadJsonAsync(HttpStatusCode.OK);
        var index = await (await host.Client.PostAsync("/v2/repository/index", null)).ReadJsonAsync(HttpStatusCode.OK);
        var broken = index.EnumerateArray().Single(e => e.GetProperty("name").GetString() == "broken");
        Assert.Equal("UNAVAILABLE", broken.GetProperty("state").GetString());
        Assert.Contains("cannot open", broken.GetProperty("reason").GetString());
    }

    [Fact]
    public async Task Infer_BlobCommittedFromBlocksWithoutContentMd5_LoadsAndAnswers()
    {
        var model = await File.ReadAllBytesAsync(Path.Combine(RepositoryPaths.SampleModels, "iris-mlp", "1", "model.onnx"));
        var blob = _container.GetBlockBlobClient($"{Prefix}/from-blocks/1/model.onnx");
        // As large uploads arrive: staged blocks and a block list, which gives the blob no Content-MD5.
        var blocks = new List<string>();
        for (var offset = 0; offset < model.Length; offset += 300)
        {
            var id = Convert.ToBase64String(BitConverter.GetBytes(offset));
            await blob.StageBlockAsync(id, new MemoryStream(model, offset, Math.Min(300, model.Length - offset)));
            blocks.Add(id);
        }
        await blob.CommitBlockListAsync(blocks);
        Assert.Null((await blob.GetPropertiesAsync()).Value.ContentHash);
        await using var host = await StartAsync();

        var response = await host.Client.InferAsync("from-blocks", IrisTwoRows);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task Infer_DownloadNotMatchingContentMd5_Returns503AndNeverCachesTheFile()
    {
        var model = await File.ReadAllBytesAsync(Path.Combine(RepositoryPaths.SampleModels, "iris-mlp", "1", "model.onnx"));
        var blob = _container.GetBlobClient($"{Prefix}/tampered/1/model.onnx");
        await blob.UploadAsync(BinaryData.FromBytes(model));
        // The stored Content-MD5 no longer matches the content, as after corruption at rest or a botched copy.
        await blob.SetHttpHeadersAsync(new Azure.Storage.Blobs.Models.BlobHttpHeaders { ContentHash = new byte[16] });
        await using var host = await StartAsync();

        await (await host.Client.InferAsync("tampered", IrisTwoRows)).AssertErrorAsync(HttpStatusCode.ServiceUnavailable, "does not match the blob's Content-MD5");

        Assert.DoesNotContain(Directory.GetFiles(host.DataDirectory, "model.onnx", SearchOption.AllDirectories),
            f => f.Contains("tampered", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Infer_MissingContainer_Returns503SayingTheRepositoryCannotBeListedWithoutItsUrl()
    {
        await using var host = await ServerlessHost.StartAsync(
            ("Models:Repository", $"{azurite.BlobEndpoint}/no-such-container"), ("Models:ConnectionString", azurite.ConnectionString));

        var message = await (await host.Client.InferAsync("iris-mlp", IrisTwoRows)).AssertErrorAsync(HttpStatusCode.ServiceUnavailable, "listing the model repository failed");

        Assert.DoesNotContain(azurite.BlobEndpoint.ToString(), message);
        Assert.DoesNotContain("Headers", message);
    }

    private const string LinearRow = """{"inputs":[{"name":"features","shape":[1,4],"datatype":"FP32","data":[1,2,3,4]}]}""";
}
