using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.ML.OnnxRuntime;
using Serverless.Core.Infrastructure.Onnx;
using Serverless.Core.Infrastructure.Storage;
using Serverless.Core.Repository;
using Serverless.Tests.Fixtures;

namespace Serverless.Tests.Core.Onnx;

/// <summary>The background save of an optimized graph against a stopping app, on the real ONNX Runtime and the sample iris MLP.</summary>
[Trait("Category", OnnxRuntimeBuild.Trait)]
public sealed class OptimizedModelCacheTests : IDisposable
{
    private static readonly string IrisModel = Path.Combine(RepositoryPaths.SampleModels, "iris-mlp", "1", "model.onnx");
    private static readonly ModelKey Iris = new("iris-mlp", 1);

    private readonly string _data = Path.Combine(Path.GetTempPath(), "serverless-optimized-" + Guid.NewGuid().ToString("N"));

    public void Dispose() => Directory.Delete(_data, recursive: true);

    private OptimizedModelCache NewCache() =>
        new(Options.Create(new StorageOptions { DataDirectory = _data }), NullLogger<OptimizedModelCache>.Instance);

    [Fact]
    public async Task Dispose_WhileASaveRuns_WaitsForItAndLeavesTheGraphWithNoTemporaryFile()
    {
        var cache = NewCache();
        var optimized = cache.PathFor(Iris, new ModelFile(IrisModel, new FileInfo(IrisModel).Length, "etag"), "cpu");
        using var saving = new ManualResetEventSlim();
        using var release = new ManualResetEventSlim();
        var held = 0;
        cache.SaveInBackground(Iris, IrisModel, optimized, () =>
        {
            // Only the first options (the optimizing session's) wait: the save is then mid-way, its folder made.
            if (Interlocked.Exchange(ref held, 1) == 0)
            {
                saving.Set();
                release.Wait(TimeSpan.FromMinutes(1));
            }
            return new SessionOptions();
        });
        Assert.True(saving.Wait(TimeSpan.FromMinutes(1)), "the save never started");

        var disposed = cache.DisposeAsync().AsTask();
        Assert.False(disposed.IsCompleted, "the app stopped before the save it started had finished");
        release.Set();
        await disposed.WaitAsync(TimeSpan.FromMinutes(1));

        Assert.True(File.Exists(optimized));
        Assert.Empty(Directory.GetFiles(Path.GetDirectoryName(optimized)!, "*.tmp"));
    }

    [Fact]
    public async Task SaveInBackground_AfterDispose_SavesNothing()
    {
        var cache = NewCache();
        var optimized = cache.PathFor(Iris, new ModelFile(IrisModel, new FileInfo(IrisModel).Length, "etag"), "cpu");
        Directory.CreateDirectory(_data);
        await cache.DisposeAsync();

        cache.SaveInBackground(Iris, IrisModel, optimized, () => new SessionOptions());
        await cache.DisposeAsync();

        Assert.False(Directory.Exists(Path.GetDirectoryName(optimized)));
    }

    [Fact]
    public void Dispose_OfAContainerDisposedSynchronously_WaitsForTheSaveToo()
    {
        var services = new ServiceCollection();
        services.AddSingleton(Options.Create(new StorageOptions { DataDirectory = _data }));
        services.AddSingleton(typeof(ILogger<>), typeof(NullLogger<>));
        services.AddSingleton<OptimizedModelCache>();
        var provider = services.BuildServiceProvider();
        var cache = provider.GetRequiredService<OptimizedModelCache>();
        var optimized = cache.PathFor(Iris, new ModelFile(IrisModel, new FileInfo(IrisModel).Length, "etag"), "cpu");
        cache.SaveInBackground(Iris, IrisModel, optimized, () => new SessionOptions());

        provider.Dispose();

        Assert.True(File.Exists(optimized));
        Assert.Empty(Directory.GetFiles(Path.GetDirectoryName(optimized)!, "*.tmp"));
    }
}
