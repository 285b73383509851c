using System.Text.Json.Nodes;
using Serverless.Infra.Tests.Support;

namespace Serverless.Infra.Tests.Bicep;

/// <summary>
/// main.bicep evaluated once per hosting plan. A compiled template keeps every plan behind ARM conditions, so each
/// plan gets a .bicepparam file and `bicep snapshot`, which evaluates conditions and expressions offline the way a
/// deployment would and lists the resources it would create (what cannot be known before deployment, such as
/// reference() to a new resource, stays an expression).
/// </summary>
public sealed class PlanSnapshotFixture : IAsyncLifetime
{
    // Parameters beyond the required three; everything else keeps main.bicep's defaults.
    private static readonly Dictionary<string, string[]> PlanParameters = new()
    {
        ["premium"] = ["param hostingPlan = 'premium'"],
        ["flex"] = ["param hostingPlan = 'flex'"],
        ["flex-always-ready"] = ["param hostingPlan = 'flex'", "param alwaysReadyHttpInstances = 1", "param alwaysReadyScoreShardInstances = 2", "param instanceMemoryMB = 4096"],
        ["containerapps-cpu"] = ["param hostingPlan = 'containerapps'", "param gpuProfile = 'none'"],
        ["containerapps-gpu"] = ["param hostingPlan = 'containerapps'", "param gpuProfile = 'Consumption-GPU-NC8as-T4'"],
    };

    public static TheoryData<string> Plans => [.. PlanParameters.Keys];

    /// <summary>The plans with no storage key by design (Premium's content share is the documented exception).</summary>
    public static TheoryData<string> KeylessPlans => [.. PlanParameters.Keys.Where(p => p != "premium")];

    public const string SubscriptionId = "00000000-0000-0000-0000-000000000000";

    private readonly string _directory = Path.Combine(Path.GetTempPath(), $"serverless-plans-{Guid.NewGuid():N}");

    private Dictionary<string, PlanSnapshot> _snapshots = [];

    internal ProcessResult Lint { get; private set; } = new(-1, "", "");

    internal PlanSnapshot this[string plan] => _snapshots[plan];

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(_directory);
        // `using` takes only a relative path, so the temporary files point back into the checkout.
        var main = Path.GetRelativePath(_directory, Path.Combine(Repository.Infra, "main.bicep")).Replace('\\', '/');
        foreach (var (plan, parameters) in PlanParameters)
        {
            await File.WriteAllLinesAsync(Path.Combine(_directory, plan + ".bicepparam"),
            [
                $"using '{main}'",
                "",
                "param environmentName = 'plans'",
                "param location = 'eastus'",
                "param apimPublisherEmail = 'ops@example.com'",
                .. parameters,
            ]);
        }

        // The plans are independent bicep processes; the 2-core machine runs two at a time well.
        using var slots = new SemaphoreSlim(2);
        var snapshots = await Task.WhenAll(PlanParameters.Keys.Select(async plan =>
        {
            await slots.WaitAsync();
            try
            {
                return await EvaluateAsync(plan);
            }
            finally
            {
                slots.Release();
            }
        }));
        _snapshots = snapshots.ToDictionary(s => s.Plan);
        Lint = await BicepCli.RunInAsync(_directory, "lint", "--pattern", "*.bicepparam");
    }

    public Task DisposeAsync()
    {
        Directory.Delete(_directory, recursive: true);
        return Task.CompletedTask;
    }

    private async Task<PlanSnapshot> EvaluateAsync(string plan)
    {
        var file = plan + ".bicepparam";
        var build = await BicepCli.RunInAsync(_directory, "build-params", file, "--stdout");
        var snapshot = await BicepCli.RunInAsync(_directory, "snapshot", file, "--mode", "overwrite",
            "--subscription-id", SubscriptionId, "--tenant-id", "11111111-1111-1111-1111-111111111111", "--location", "eastus");
        var output = Path.Combine(_directory, plan + ".snapshot.json");
        var document = snapshot.ExitCode == 0 && File.Exists(output)
            ? JsonNode.Parse(await File.ReadAllTextAsync(output))!.AsObject()
            : null;
        return new PlanSnapshot(plan, build, snapshot, document);
    }
}

[CollectionDefinition(Name)]
public sealed class PlanSnapshotCollection : ICollectionFixture<PlanSnapshotFixture>
{
    public const string Name = "main.bicep per hosting plan";
}
