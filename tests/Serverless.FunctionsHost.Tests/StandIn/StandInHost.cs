using System.Diagnostics;
using System.Globalization;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Serverless.FunctionsHost.Tests.StandIn.Protocol;
using Kind = Serverless.FunctionsHost.Tests.StandIn.Protocol.StreamingMessage.ContentOneofCase;

namespace Serverless.FunctionsHost.Tests.StandIn;

/// <summary>
/// Plays the Functions host for the built app: serves FunctionRpc on 127.0.0.1, starts the app with the host's
/// arguments and environment, runs the handshake (init, index, load) and invokes functions: queue messages over gRPC,
/// HTTP requests by proxying to the worker's Kestrel alongside the invocation. Not covered, being host behaviour: key
/// checks, the real queue listener (dequeue, visibility, poison), retries, scale.
/// </summary>
public sealed class StandInHost : IAsyncDisposable
{
    // What the host passes (azure-functions-host RpcWorkerContext): int.MaxValue.
    private const int GrpcMaxMessageLength = int.MaxValue;
    private static readonly TimeSpan StepTimeout = TimeSpan.FromSeconds(60);

    private readonly WebApplication _server;
    private HttpForwarder? _forwarder;
    private HttpRouteTable? _routes;

    private StandInHost(WebApplication server, WorkerChannel channel, AppProcess worker, string workerId)
    {
        _server = server;
        Channel = channel;
        Worker = worker;
        WorkerId = workerId;
    }

    public WorkerChannel Channel { get; }

    public AppProcess Worker { get; }

    public string WorkerId { get; }

    /// <summary>After <see cref="HandshakeAsync"/>: the loaded functions, by name.</summary>
    public IReadOnlyDictionary<string, WorkerFunction> Functions { get; private set; } = new Dictionary<string, WorkerFunction>();

    /// <summary>After <see cref="InitAsync"/>: the worker's Kestrel, from the HttpUri capability.</summary>
    public Uri? HttpUri { get; private set; }

    /// <summary>Starts the server and the worker and waits for the worker's StartStream; no handshake yet.</summary>
    /// <param name="settings">App settings, given to the worker as environment variables as the host does.</param>
    public static async Task<StandInHost> StartAsync(IReadOnlyDictionary<string, string> settings)
    {
        var channel = new WorkerChannel();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0, listen => listen.Protocols = HttpProtocols.Http2));
        builder.Services.AddGrpc(grpc =>
        {
            grpc.MaxReceiveMessageSize = null;
            grpc.MaxSendMessageSize = null;
        });
        builder.Services.AddSingleton(channel);
        var server = builder.Build();
        server.MapGrpcService<EventStreamService>();
        await server.StartAsync();
        var address = new Uri(server.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single());

        var workerId = Guid.NewGuid().ToString();
        var requestId = Guid.NewGuid().ToString();
        var maxLength = GrpcMaxMessageLength.ToString(CultureInfo.InvariantCulture);
        // The host's arguments (azure-functions-host RpcWorkerContext.GetFormattedArguments): the legacy spellings and the
        // --functions-* copies; the .NET worker reads only the latter.
        string[] arguments =
        [
            "--host", address.Host, "--port", address.Port.ToString(CultureInfo.InvariantCulture),
            "--workerId", workerId, "--requestId", requestId, "--grpcMaxMessageLength", maxLength,
            "--functions-uri", address.AbsoluteUri, "--functions-worker-id", workerId,
            "--functions-request-id", requestId, "--functions-grpc-max-message-length", maxLength,
        ];
        var environment = new Dictionary<string, string>(settings)
        {
            ["FUNCTIONS_WORKER_DIRECTORY"] = AppOutput.Directory,
            ["FUNCTIONS_APPLICATION_DIRECTORY"] = AppOutput.Directory,
            ["FUNCTIONS_WORKER_RUNTIME"] = "dotnet-isolated",
        };
        var worker = AppProcess.Start(AppOutput.Directory, arguments, environment);
        var host = new StandInHost(server, channel, worker, workerId);
        _ = worker.Exited.ContinueWith(_ => channel.Close(new IOException($"the worker process exited\n{worker.Output}")), TaskScheduler.Default);
        try
        {
            var started = await host.WithinStepAsync(channel.Started, "StartStream");
            if (started.WorkerId != workerId)
            {
                throw new InvalidOperationException($"StartStream came from worker '{started.WorkerId}', expected '{workerId}'");
            }
        }
        catch
        {
            await host.DisposeAsync();
            throw;
        }
        return host;
    }

    /// <summary>Starts the worker and runs the whole handshake, failing on any unsuccessful step.</summary>
    public static async Task<StandInHost> StartAndLoadAsync(IReadOnlyDictionary<string, string> settings)
    {
        var host = await StartAsync(settings);
        try
        {
            await host.HandshakeAsync();
            return host;
        }
        catch
        {
            await host.DisposeAsync();
            throw;
        }
    }

    public async Task HandshakeAsync()
    {
        var init = await InitAsync();
        Ensure(init.Result, "WorkerInitResponse");
        if (HttpUri is null)
        {
            throw new InvalidOperationException("WorkerInitResponse has no HttpUri capability: " + string.Join(", ", init.Capabilities.Keys));
        }
        var metadata = await GetMetadataAsync();
        Ensure(metadata.Result, "FunctionMetadataResponse");
        foreach (var function in metadata.FunctionMetadataResults)
        {
            Ensure((await LoadAsync(function)).Result, $"FunctionLoadResponse for {function.Name}");
        }
        UseFunctions(metadata.FunctionMetadataResults);
    }

    public async Task<WorkerInitResponse> InitAsync()
    {
        var request = new WorkerInitRequest
        {
            HostVersion = "4.0.0-stand-in",
            WorkerDirectory = AppOutput.Directory,
            FunctionAppDirectory = AppOutput.Directory,
        };
        var response = (await RequestAsync(new StreamingMessage { WorkerInitRequest = request }, Kind.WorkerInitResponse, "")).WorkerInitResponse;
        if (response.Capabilities.TryGetValue("HttpUri", out var httpUri))
        {
            HttpUri = new Uri(httpUri);
            _forwarder = new HttpForwarder(HttpUri);
        }
        return response;
    }

    public async Task<FunctionMetadataResponse> GetMetadataAsync() =>
        (await RequestAsync(new StreamingMessage { FunctionsMetadataRequest = new FunctionsMetadataRequest { FunctionAppDirectory = AppOutput.Directory } },
            Kind.FunctionMetadataResponse, "")).FunctionMetadataResponse;

    /// <summary>Loads one function with the metadata the worker returned, as the host echoes it.</summary>
    public async Task<FunctionLoadResponse> LoadAsync(RpcFunctionMetadata metadata) =>
        (await RequestAsync(new StreamingMessage { FunctionLoadRequest = new FunctionLoadRequest { FunctionId = metadata.FunctionId, Metadata = metadata } },
            Kind.FunctionLoadResponse, metadata.FunctionId)).FunctionLoadResponse;

    /// <summary>Makes the loaded functions invocable (done by <see cref="HandshakeAsync"/>).</summary>
    public void UseFunctions(IEnumerable<RpcFunctionMetadata> loaded)
    {
        var functions = loaded.Select(m => new WorkerFunction(m)).ToList();
        Functions = functions.ToDictionary(f => f.Name);
        _routes = new HttpRouteTable(functions, HostJson.RoutePrefix(AppOutput.File("host.json")));
    }

    public async Task<InvocationResponse> InvokeAsync(WorkerFunction function, string invocationId, IEnumerable<ParameterBinding> inputs, IReadOnlyDictionary<string, TypedData> triggerMetadata)
    {
        var request = new InvocationRequest
        {
            InvocationId = invocationId,
            FunctionId = function.Id,
            // NOTE: the worker dereferences trace_context unconditionally (GrpcFunctionInvocation); the host always sends one.
            TraceContext = new RpcTraceContext { TraceParent = $"00-{ActivityTraceId.CreateRandom()}-{ActivitySpanId.CreateRandom()}-01", TraceState = "" },
        };
        request.InputData.AddRange(inputs);
        foreach (var (name, value) in triggerMetadata)
        {
            request.TriggerMetadata.Add(name, value);
        }
        return (await RequestAsync(new StreamingMessage { InvocationRequest = request }, Kind.InvocationResponse, invocationId)).InvocationResponse;
    }

    /// <summary>Delivers one queue message to the queue-triggered function, as the host's listener does after a dequeue.</summary>
    public Task<InvocationResponse> InvokeQueueAsync(string messageText, string messageId, long dequeueCount)
    {
        var function = Functions.Values.Single(f => f.IsQueue);
        var input = new ParameterBinding { Name = function.TriggerName, Data = new TypedData { String = messageText } };
        var metadata = new Dictionary<string, TypedData>
        {
            ["DequeueCount"] = new() { Json = dequeueCount.ToString(CultureInfo.InvariantCulture) },
            ["Id"] = new() { String = messageId },
        };
        return InvokeAsync(function, Guid.NewGuid().ToString(), [input], metadata);
    }

    /// <summary>
    /// Sends an HTTP request through the host's path: picks the function by route, starts forwarding to the worker's
    /// Kestrel, then sends the invocation (the host's order), and returns both answers.
    /// </summary>
    public async Task<ProxiedCall> SendAsync(HttpRequestMessage request)
    {
        var forwarder = _forwarder ?? throw new InvalidOperationException("no HttpUri yet: run the handshake first");
        var buffered = await BufferedRequest.FromAsync(request);
        var (function, routeValues) = _routes?.Find(buffered.Method, buffered.Path)
            ?? throw new InvalidOperationException($"no loaded function takes {buffered.Method} {buffered.Path}");
        var invocationId = Guid.NewGuid().ToString();
        using var timeout = new CancellationTokenSource(StepTimeout);
        var forwarding = forwarder.ForwardAsync(buffered, invocationId, timeout.Token);
        // The trigger input is an empty RpcHttp: with proxying, the request itself travels over HTTP (host ToRpcHttp).
        var input = new ParameterBinding { Name = function.TriggerName, Data = new TypedData { Http = new RpcHttp() } };
        var invoking = InvokeAsync(function, invocationId, [input], HttpTriggerMetadata.From(buffered, routeValues));
        try
        {
            await Task.WhenAll(forwarding, invoking).WaitAsync(StepTimeout);
        }
        catch (Exception e)
        {
            throw new InvalidOperationException($"{buffered.Method} {buffered.PathAndQuery} via {function.Name} failed: {e.Message}\n{Diagnostics()}", e);
        }
        var response = await forwarding;
        return new ProxiedCall(function, response, await response.Content.ReadAsByteArrayAsync(), await invoking);
    }

    /// <summary>
    /// As <see cref="SendAsync"/>, but returns as soon as the worker's response headers arrive, its body still
    /// streaming: the real host's YARP forwarder copies a proxied response to the client as the worker writes it (it
    /// flushes each read, never buffering the body). The invocation's answer comes when the function returns.
    /// </summary>
    public async Task<StreamedCall> SendStreamingAsync(HttpRequestMessage request)
    {
        var forwarder = _forwarder ?? throw new InvalidOperationException("no HttpUri yet: run the handshake first");
        var buffered = await BufferedRequest.FromAsync(request);
        var (function, routeValues) = _routes?.Find(buffered.Method, buffered.Path)
            ?? throw new InvalidOperationException($"no loaded function takes {buffered.Method} {buffered.PathAndQuery}");
        var invocationId = Guid.NewGuid().ToString();
        var forwarding = forwarder.ForwardAsync(buffered, invocationId, CancellationToken.None, HttpCompletionOption.ResponseHeadersRead);
        var input = new ParameterBinding { Name = function.TriggerName, Data = new TypedData { Http = new RpcHttp() } };
        var invoking = InvokeAsync(function, invocationId, [input], HttpTriggerMetadata.From(buffered, routeValues));
        try
        {
            return new StreamedCall(function, await forwarding.WaitAsync(StepTimeout), invoking);
        }
        catch (Exception e)
        {
            throw new InvalidOperationException($"{buffered.Method} {buffered.PathAndQuery} via {function.Name} failed: {e.Message}\n{Diagnostics()}", e);
        }
    }

    /// <summary>The worker's recent output and its RpcLog messages, for failure messages.</summary>
    public string Diagnostics() =>
        $"--- worker output ---\n{Worker.Output}\n--- worker RpcLog ---\n" +
        string.Join('\n', Channel.Logs.TakeLast(50).Select(l => $"{l.Level} {l.Category}: {l.Message} {l.Exception?.Message}")) +
        $"\n--- unanswered worker messages: {string.Join(", ", Channel.Unmatched.Select(m => m.ContentCase))} ---";

    public async ValueTask DisposeAsync()
    {
        await Worker.DisposeAsync();
        _forwarder?.Dispose();
        await _server.StopAsync();
        await _server.DisposeAsync();
    }

    private async Task<StreamingMessage> RequestAsync(StreamingMessage request, Kind responseKind, string key)
    {
        request.RequestId = Guid.NewGuid().ToString();
        using var timeout = new CancellationTokenSource(StepTimeout);
        return await WithinStepAsync(Channel.RequestAsync(request, responseKind, key, timeout.Token), responseKind.ToString());
    }

    private async Task<T> WithinStepAsync<T>(Task<T> step, string name)
    {
        try
        {
            return await step.WaitAsync(StepTimeout);
        }
        catch (Exception e) when (e is TimeoutException or OperationCanceledException or IOException)
        {
            throw new InvalidOperationException($"no {name} from the worker: {e.Message}\n{Diagnostics()}", e);
        }
    }

    private void Ensure(StatusResult result, string step)
    {
        if (result.Status != StatusResult.Types.Status.Success)
        {
            throw new InvalidOperationException($"{step}: {result.Status} {result.Result} {result.Exception?.Message}\n{result.Exception?.StackTrace}\n{Diagnostics()}");
        }
    }
}
