using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Serverless.Core.Cache;
using Serverless.Core.Metering;
using Serverless.Core.Telemetry;

namespace Serverless.Tests.Metering;

/// <summary>Usage records and the metrics object the ledger reports to, for tests that use the core directly.</summary>
internal static class UsageRecords
{
    public static UsageRecord Success(string caller, string model, string requestId, DateTimeOffset? time = null, long rows = 1, decimal cost = 0.01m,
        long inputTokens = 0, long outputTokens = 0) => new()
    {
        Id = UsageRecord.NewId(),
        RequestId = requestId,
        CallerId = caller,
        KeyId = "key_test",
        Model = model,
        Version = 1,
        Time = time ?? DateTimeOffset.UtcNow,
        Rows = rows,
        InputBytes = 100,
        ComputeSeconds = 0.001,
        ExecutionProvider = "CPUExecutionProvider",
        Status = 200,
        Outcome = UsageOutcome.Success,
        Cost = cost,
        InputTokens = inputTokens,
        OutputTokens = outputTokens,
    };

    public static ServerlessMetrics Metrics()
    {
        var services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        var repository = new Fakes.FakeModelRepository();
        var options = Microsoft.Extensions.Options.Options.Create(new Serverless.Core.Repository.ModelsOptions());
        return new ServerlessMetrics(services.GetRequiredService<IMeterFactory>(), new Serverless.Core.Repository.ModelVersionIndex(repository, options, TimeProvider.System));
    }
}
