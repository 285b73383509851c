using Serverless.Core.Repository;

namespace Serverless.Tests.Fakes;

/// <summary>An in-memory repository that counts fetches and can hold or fail them on demand.</summary>
internal sealed class FakeModelRepository : IModelRepository
{
    private int _fetches;

    public Dictionary<string, List<long>> Versions { get; } = new();

    public Dictionary<string, ModelConfig> Configs { get; } = new();

    /// <summary>Fetches wait on this before returning, so a test can line up concurrent first requests.</summary>
    public TaskCompletionSource FetchGate { get; set; } = CompletedGate();

    public Exception? FailFetchWith { get; set; }

    public long FileLength { get; set; } = 100;

    public int Fetches => Volatile.Read(ref _fetches);

    /// <summary>Each version's content id ("etag" unless set): change one to replace the version's content.</summary>
    public Dictionary<ModelKey, string> ContentIds { get; } = new();

    public Task<string?> GetContentIdAsync(ModelKey key, CancellationToken cancellationToken = default) =>
        Task.FromResult<string?>(ContentIds.GetValueOrDefault(key, "etag"));

    public string Location => "memory://models";

    public Task<IReadOnlyList<string>> ListModelsAsync(CancellationToken cancellationToken = default) =>
        Task.FromResult<IReadOnlyList<string>>(Versions.Keys.Order().ToList());

    public Task<IReadOnlyList<long>> ListVersionsAsync(string model, CancellationToken cancellationToken = default) =>
        Task.FromResult<IReadOnlyList<long>>(Versions.TryGetValue(model, out var v) ? v.Order().ToList() : []);

    public Task<ModelConfig> ReadConfigAsync(string model, CancellationToken cancellationToken = default) =>
        Task.FromResult(Configs.GetValueOrDefault(model, ModelConfig.Default));

    public async Task<ModelFile> FetchAsync(ModelKey key, ModelFetchProgress? progress = null, CancellationToken cancellationToken = default)
    {
        progress?.Begin(FileLength, 1);
        Interlocked.Increment(ref _fetches);
        await FetchGate.Task;
        if (FailFetchWith is { } failure)
        {
            throw failure;
        }
        return new ModelFile($"/models/{key.Name}/{key.Version}/model.onnx", FileLength, ContentIds.GetValueOrDefault(key, "etag"));
    }

    public static TaskCompletionSource CompletedGate()
    {
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        gate.SetResult();
        return gate;
    }
}
