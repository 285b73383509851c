using Azure.Data.Tables;

namespace Serverless.Core.Infrastructure.Metering;

/// <summary>The three metering tables in the function app's storage account, created on first use.</summary>
public sealed class MeteringTables(TableServiceClient service, string prefix)
{
    private readonly Lazy<Task> _created = new(async () =>
    {
        foreach (var name in new[] { prefix + "usage", prefix + "callers", prefix + "keys" })
        {
            await service.GetTableClient(name).CreateIfNotExistsAsync();
        }
    });

    public TableClient Usage { get; } = service.GetTableClient(prefix + "usage");

    public TableClient Callers { get; } = service.GetTableClient(prefix + "callers");

    public TableClient Keys { get; } = service.GetTableClient(prefix + "keys");

    public Task EnsureCreatedAsync() => _created.Value;
}
