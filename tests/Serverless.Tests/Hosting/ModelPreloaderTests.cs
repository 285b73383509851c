using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Serverless.Core.Cache;
using Serverless.Core.Repository;
using Serverless.Functions.Hosting;
using Serverless.Testing;
using Serverless.Tests.Fakes;

namespace Serverless.Tests.Hosting;

public sealed class ModelPreloaderTests
{
    [Fact]
    public async Task Readiness_WhilePreloadFetches_NamesTheModelAndHowFarItHasGot()
    {
        var repository = new FakeModelRepository { FileLength = 50_000_000, FetchGate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously) };
        repository.Versions["big"] = [3];
        var options = Options.Create(new ModelsOptions { Preload = ["big"] });
        var time = new FakeTimeProvider();
        using var cache = TestModelCaches.Create(repository, new FakeSessionFactory(), options, time);
        var readiness = new ServerReadiness();
        using var preloader = new ModelPreloader(cache, readiness, options, NullLogger<ModelPreloader>.Instance);

        await preloader.StartAsync(CancellationToken.None);
        await Eventually.TrueAsync(() => repository.Fetches > 0, "the preload starting to fetch");
        var whileFetching = readiness.Reason;
        repository.FetchGate.SetResult();
        await preloader.ExecuteTask!;

        Assert.Equal("preloading big: v3 fetched 0.0 of 50.0 MB", whileFetching);
        Assert.True(readiness.IsReady);
    }
}
