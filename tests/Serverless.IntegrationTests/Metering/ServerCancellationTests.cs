using Serverless.Core.Batching;
using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Serverless.Core.Inference;
using Serverless.Core.Infrastructure.Onnx;
using Serverless.Core.Repository;
using Serverless.Tests.Fixtures;

namespace Serverless.Tests.Metering;

/// <summary>
/// A call cancelled by the server itself (a timeout inside it, not the client leaving) is answered and recorded with
/// the same status: 503 with a JSON error the client may retry on. It used to be answered 500 and recorded 499.
/// </summary>
public sealed class ServerCancellationTests
{
    [Fact]
    public async Task Infer_CancelledByTheServer_AnsweredAndRecordedWith503()
    {
        var sessions = new CancellingSessionFactory();
        await using var host = await ServerlessHost.StartWithServicesAsync(services =>
        {
            services.AddSingleton<OnnxSessionFactory>();
            services.AddSingleton<IModelSessionFactory>(provider => sessions.Over(provider.GetRequiredService<OnnxSessionFactory>()));
        }, MeteredApi.Settings());
        var key = await MeteredApi.CreateCallerWithKeyAsync(host.Client, "cancelled");
        // Loaded first, so the cancelled run is the call's and not the model's warm-up.
        Assert.Equal(HttpStatusCode.OK, await MeteredApi.InferAsync(host.Client, "linear-regressor", "warm", key));

        sessions.CancelNextRun = true;
        using var cancelled = await host.Client.SendAsync(MeteredApi.Infer("linear-regressor", MeteredApi.LinearRegressorBody("server-cancelled"), key));

        await cancelled.AssertErrorAsync(HttpStatusCode.ServiceUnavailable, "retry");
        Assert.True(cancelled.Headers.RetryAfter?.Delta >= TimeSpan.FromSeconds(1));
        var csv = await MeteredApi.GetTextAsync(host.Client, $"/usage/export?from={DateTime.UtcNow:yyyy-MM-dd}&to={DateTime.UtcNow:yyyy-MM-dd}", MeteredApi.AdminKey);
        var row = Assert.Single(csv.Split("\r\n"), line => line.Contains(",server-cancelled,")).Split(',');
        Assert.Equal(("failure", "503"), (row[7], row[8]));
    }

    /// <summary>Real sessions, one of whose runs can be made to end as a timeout inside the server would end it.</summary>
    private sealed class CancellingSessionFactory
    {
        private int _cancelNextRun;

        public bool CancelNextRun
        {
            set => Volatile.Write(ref _cancelNextRun, value ? 1 : 0);
        }

        public IModelSessionFactory Over(IModelSessionFactory real) => new Factory(this, real);

        private bool TakeCancellation() => Interlocked.Exchange(ref _cancelNextRun, 0) == 1;

        private sealed class Factory(CancellingSessionFactory owner, IModelSessionFactory real) : IModelSessionFactory
        {
            public ExecutionProvider ProviderFor(ModelKey key, ModelConfig config) => real.ProviderFor(key, config);

            public IModelSession Open(ModelKey key, ModelFile file, ModelConfig config, BatchingLayout layout) => new Session(owner, real.Open(key, file, config, layout));
        }

        private sealed class Session(CancellingSessionFactory owner, IModelSession real) : IModelSession
        {
            public ExecutionProvider ExecutionProvider => real.ExecutionProvider;

            public IReadOnlyList<TensorMetadata> Inputs => real.Inputs;

            public IReadOnlyList<TensorMetadata> Outputs => real.Outputs;

            public SessionRunResult Run(IReadOnlyList<InferenceTensor> inputs, IReadOnlyList<string> outputNames) =>
                owner.TakeCancellation() ? throw new OperationCanceledException("the run outlasted a server-side timeout") : real.Run(inputs, outputNames);

            public void Dispose() => real.Dispose();
        }
    }
}
