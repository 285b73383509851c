using Microsoft.Extensions.Logging;
using Serverless.Core.Errors;
using Serverless.Core.Infrastructure.Storage;
using Serverless.Core.Repository;
using Serverless.Tests.Fakes;
using Serverless.Tests.Fixtures;

namespace Serverless.Tests.Core.Storage;

public sealed class FolderModelRepositoryTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "serverless-folder-repo-" + Guid.NewGuid().ToString("N"));
    private readonly ListLogger<FolderModelRepository> _logger = new();

    public void Dispose()
    {
        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }

    private void AddVersion(string model, string folder)
    {
        var target = Path.Combine(_root, model, folder);
        Directory.CreateDirectory(target);
        File.Copy(Path.Combine(RepositoryPaths.SampleModels, "iris-mlp", "1", "model.onnx"), Path.Combine(target, "model.onnx"));
    }

    [Fact]
    public async Task ListVersions_NonCanonicalFolderNames_IgnoredWithOneWarningEach()
    {
        AddVersion("m", "01");
        AddVersion("m", "2");
        AddVersion("m", "+3");
        var repository = new FolderModelRepository(_root, _logger);

        var first = await repository.ListVersionsAsync("m");
        var second = await repository.ListVersionsAsync("m");

        Assert.Equal([2L], first);
        Assert.Equal([2L], second);
        var warnings = _logger.Entries.Where(e => e.Level == LogLevel.Warning).Select(e => e.Message).ToList();
        Assert.Equal(2, warnings.Count);
        Assert.Contains(warnings, w => w.Contains("'01'"));
        Assert.Contains(warnings, w => w.Contains("'+3'"));
    }

    [Fact]
    public async Task ListVersions_OnlyLeadingZeroFolder_ModelHasNoVersionToServe()
    {
        AddVersion("m", "01");
        var repository = new FolderModelRepository(_root, _logger);

        Assert.Empty(await repository.ListVersionsAsync("m"));
        await Assert.ThrowsAsync<ModelNotFoundException>(() => repository.FetchAsync(new ModelKey("m", 1)));
    }

    [Fact]
    public async Task ListVersionsAndFetch_GenerativeFolderWithADecoderOfAnotherName_IsAVersion()
    {
        // What GenAI's model builder and published ONNX LLMs ship: the decoder is named by genai_config.json.
        var folder = Path.Combine(_root, "chat", "4");
        Directory.CreateDirectory(folder);
        await File.WriteAllTextAsync(Path.Combine(folder, ModelRepositoryLayout.GenerativeConfigFileName), "{}");
        await File.WriteAllBytesAsync(Path.Combine(folder, "phi-int4.onnx"), new byte[10]);
        var repository = new FolderModelRepository(_root, _logger);

        Assert.Equal([4L], await repository.ListVersionsAsync("chat"));
        var file = await repository.FetchAsync(new ModelKey("chat", 4));
        Assert.Equal(Path.GetFullPath(folder), file.Directory);
        Assert.Equal(2, file.FileCount);
    }

    [Fact]
    public async Task WarmUp_ThenFetch_SameContentIdAsWithout()
    {
        AddVersion("m", "1");
        var repository = new FolderModelRepository(_root, _logger);
        var before = await repository.FetchAsync(new ModelKey("m", 1));

        FolderModelRepository.WarmUp();
        var after = await repository.FetchAsync(new ModelKey("m", 1));

        Assert.Equal((before.ContentId, before.FileCount, before.Length), (after.ContentId, after.FileCount, after.Length));
    }
}
