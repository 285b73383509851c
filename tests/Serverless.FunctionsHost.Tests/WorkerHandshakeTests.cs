using Serverless.FunctionsHost.Tests.StandIn;
using Serverless.FunctionsHost.Tests.StandIn.Protocol;
using static Serverless.FunctionsHost.Tests.FunctionsMetadataFile;

namespace Serverless.FunctionsHost.Tests;

/// <summary>
/// The start of a worker's life under the host, step by step: the built dll started with the host's arguments dials
/// back and sends StartStream with its worker id, answers WorkerInitRequest with the HttpUri capability, indexes every
/// function of functions.metadata, and loads each one.
/// </summary>
public sealed class WorkerHandshakeTests : IAsyncLifetime
{
    private readonly TempDirectory _data = new();
    private StandInHost _host = null!;

    public async Task InitializeAsync() => _host = await StandInHost.StartAsync(AppSettings.Sample(_data.Path));

    public async Task DisposeAsync()
    {
        if (_host is not null)
        {
            await _host.DisposeAsync();
        }
        _data.Dispose();
    }

    [Fact]
    public async Task Handshake_BuiltApp_InitIndexesAndLoadsEveryFunction()
    {
        Assert.Equal(_host.WorkerId, (await _host.Channel.Started).WorkerId);

        var init = await _host.InitAsync();

        Assert.Equal(StatusResult.Types.Status.Success, init.Result.Status);
        Assert.True(init.Capabilities.TryGetValue("HttpUri", out var httpUri), "capabilities: " + string.Join(", ", init.Capabilities.Keys));
        Assert.Equal("http", new Uri(httpUri).Scheme);

        var metadata = await _host.GetMetadataAsync();

        Assert.Equal(StatusResult.Types.Status.Success, metadata.Result.Status);
        Assert.False(metadata.UseDefaultMetadataIndexing);
        var indexed = metadata.FunctionMetadataResults.Select(f => new WorkerFunction(f)).ToDictionary(f => f.Name);
        var file = Read().ToDictionary(f => f.GetProperty("name").GetString()!);
        Assert.Equal(file.Keys.Order(StringComparer.Ordinal), indexed.Keys.Order(StringComparer.Ordinal));
        foreach (var (name, function) in indexed)
        {
            var trigger = Trigger(file[name]);
            Assert.False(string.IsNullOrEmpty(function.Id), name);
            Assert.Equal(Text(trigger, "type"), function.TriggerType);
            Assert.Equal(Text(trigger, "name"), function.TriggerName);
            if (function.IsHttp)
            {
                Assert.Equal(Text(trigger, "route"), function.Route);
                Assert.Equal(Methods(trigger), function.Methods.Order(StringComparer.Ordinal));
            }
        }

        foreach (var function in metadata.FunctionMetadataResults)
        {
            var load = await _host.LoadAsync(function);

            Assert.True(load.Result.Status == StatusResult.Types.Status.Success, $"{function.Name}: {load.Result.Result} {load.Result.Exception?.Message}");
            Assert.Equal(function.FunctionId, load.FunctionId);
        }
    }
}
