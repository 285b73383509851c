using Serverless.FunctionsHost.Tests.StandIn;

namespace Serverless.FunctionsHost.Tests;

/// <summary>
/// The built app twice with the same settings: as a worker under the stand-in host (handshake done) and standalone.
/// Each has its own data folder. Inference:MaxRequestBytes is small so an oversized body is cheap to send.
/// </summary>
public sealed class WorkerAndStandaloneFixture : IAsyncLifetime
{
    public const int MaxRequestBytes = 4096;

    /// <summary>Lets a test reach the admin-only functions; callers without a key stay anonymous (RequireKey is off).</summary>
    public const string AdminKey = "stand-in-admin-key-0123456789";

    private readonly TempDirectory _workerData = new();
    private readonly TempDirectory _standaloneData = new();

    public StandInHost Host { get; private set; } = null!;

    public StandaloneApp Standalone { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        (string, string)[] settings =
        [
            ("Inference__MaxRequestBytes", MaxRequestBytes.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            ("Metering__AdminKey", AdminKey),
        ];
        var worker = StandInHost.StartAndLoadAsync(AppSettings.Sample(_workerData.Path, settings));
        var standalone = StandaloneApp.StartAsync(AppSettings.Sample(_standaloneData.Path, settings));
        try
        {
            await Task.WhenAll(worker, standalone);
        }
        catch
        {
            // Stop whichever did start before reporting the one that did not.
            if (worker.IsCompletedSuccessfully)
            {
                await worker.Result.DisposeAsync();
            }
            if (standalone.IsCompletedSuccessfully)
            {
                await standalone.Result.DisposeAsync();
            }
            throw;
        }
        Host = worker.Result;
        Standalone = standalone.Result;
    }

    public async Task DisposeAsync()
    {
        if (Host is not null)
        {
            await Host.DisposeAsync();
        }
        if (Standalone is not null)
        {
            await Standalone.DisposeAsync();
        }
        _workerData.Dispose();
        _standaloneData.Dispose();
    }
}
