using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Serverless.Core.Cache;
using Serverless.Core.Inference;
using Serverless.Core.Infrastructure.Jobs;
using Serverless.Core.Jobs;
using Serverless.Core.Repository;
using Serverless.Core.Text.Embeddings;
using Serverless.Tests.Fakes;

namespace Serverless.Tests.Jobs;

/// <summary>
/// The job use cases wired as embedded mode wires them (SQLite store, in-process queue, local files under a temporary
/// root) over a fake model <c>m</c> with one input <c>x</c>, on a fake clock. Nothing listens on the queue: a test
/// drives each step itself.
/// </summary>
internal sealed class JobTestPipeline : IDisposable
{
    /// <param name="embeddings">Makes model <see cref="FakeEmbeddingModels.Name"/> an embedding model (registered with version 1).</param>
    /// <param name="embeddingLimits">The <c>Embeddings</c> settings the scorer is given.</param>
    public JobTestPipeline(JobsOptions? options = null, FakeEmbeddingModels? embeddings = null, EmbeddingsOptions? embeddingLimits = null)
    {
        Repository.Versions["m"] = [1];
        Options = Microsoft.Extensions.Options.Options.Create(options ?? new JobsOptions());
        var models = Microsoft.Extensions.Options.Options.Create(new ModelsOptions { RefreshIntervalSeconds = 30 });
        if (embeddings is null)
        {
            Cache = TestModelCaches.Create(Repository, Sessions, models, Time);
        }
        else
        {
            Repository.Versions[FakeEmbeddingModels.Name] = [1];
            var loader = new ModelLoader(Repository, Sessions, new InferenceStatistics(Time), Microsoft.Extensions.Options.Options.Create(new InferenceOptions()),
                NullLogger<ModelLoader>.Instance, Time, embeddings);
            Cache = new ModelCache(loader, Repository, new ModelVersionIndex(Repository, models, Time), [], models, NullLogger<ModelCache>.Instance, Time);
        }
        Store = new SqliteJobStore(Path.Combine(Root, "jobs.db"));
        Store.InitializeAsync().GetAwaiter().GetResult();
        Files = new LocalJobFiles(Path.Combine(Root, "files"));
        Completion = new JobCompletion(Store, Files, Usage, Options, Time, NullLogger<JobCompletion>.Instance);
        Planner = new JobPlanner(Store, Queue, Files, Cache, new ModelVersionIndex(Repository, models, Time), Completion, Options, Time, NullLogger<JobPlanner>.Instance);
        Scorer = new ShardScorer(Files, Cache, Options, NullLogger<ShardScorer>.Instance, Microsoft.Extensions.Options.Options.Create(embeddingLimits ?? new EmbeddingsOptions()));
        Handler = new JobMessageHandler(Planner, Scorer, Completion, Store, Metering.UsageRecords.Metrics(), Options, Time, NullLogger<JobMessageHandler>.Instance);
    }

    public string Root { get; } = Directory.CreateTempSubdirectory("job-pipeline-").FullName;

    public FakeTimeProvider Time { get; } = new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));

    public FakeModelRepository Repository { get; } = new();

    public FakeSessionFactory Sessions { get; } = new();

    public IOptions<JobsOptions> Options { get; }

    public ModelCache Cache { get; }

    public SqliteJobStore Store { get; }

    public LocalJobFiles Files { get; }

    public ChannelJobQueue Queue { get; } = new("jobs");

    public RecordingUsage Usage { get; } = new();

    public JobCompletion Completion { get; }

    public JobPlanner Planner { get; }

    public ShardScorer Scorer { get; }

    public JobMessageHandler Handler { get; }

    /// <summary>Writes a file under the files root and returns its job path.</summary>
    public string WriteInput(string name, byte[] content)
    {
        var path = Path.Combine(Files.Root, name);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, content);
        return name;
    }

    public void Dispose()
    {
        Cache.Dispose();
        Directory.Delete(Root, recursive: true);
    }

    /// <summary>Every shard the job completion billed.</summary>
    internal sealed class RecordingUsage : IShardUsageRecorder
    {
        private readonly List<ShardUsage> _recorded = [];

        public IReadOnlyList<ShardUsage> Recorded { get { lock (_recorded) { return [.. _recorded]; } } }

        public Task RecordAsync(ShardUsage usage, CancellationToken cancellationToken = default)
        {
            lock (_recorded)
            {
                _recorded.Add(usage);
            }
            return Task.CompletedTask;
        }
    }
}
