using System.Collections.Concurrent;
using Grpc.Core;
using RpcException = Grpc.Core.RpcException;
using Serverless.FunctionsHost.Tests.StandIn.Protocol;

namespace Serverless.FunctionsHost.Tests.StandIn;

/// <summary>
/// The host's end of one worker's event stream: sends requests, pairs each response with its request (by function id
/// for loads, invocation id for invocations, by kind otherwise), and keeps the worker's logs for failure messages.
/// </summary>
public sealed class WorkerChannel
{
    private readonly TaskCompletionSource<StartStream> _started = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly ConcurrentDictionary<(StreamingMessage.ContentOneofCase Kind, string Key), TaskCompletionSource<StreamingMessage>> _pending = new();
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private IServerStreamWriter<StreamingMessage>? _writer;
    private Exception? _closed;

    /// <summary>The worker's first message on the stream.</summary>
    public Task<StartStream> Started => _started.Task;

    public ConcurrentQueue<RpcLog> Logs { get; } = new();

    /// <summary>Messages no request was waiting for.</summary>
    public ConcurrentQueue<StreamingMessage> Unmatched { get; } = new();

    /// <summary>Runs for the life of the gRPC call: the worker holds one stream open until it exits.</summary>
    internal async Task RunAsync(IAsyncStreamReader<StreamingMessage> reader, IServerStreamWriter<StreamingMessage> writer, CancellationToken cancellationToken)
    {
        if (Interlocked.CompareExchange(ref _writer, writer, null) is not null)
        {
            throw new RpcException(new Status(StatusCode.AlreadyExists, "the stand-in host serves one worker stream"));
        }
        try
        {
            await foreach (var message in reader.ReadAllAsync(cancellationToken))
            {
                Dispatch(message);
            }
            Close(new IOException("the worker closed its event stream"));
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or RpcException)
        {
            Close(e);
        }
    }

    /// <summary>Sends <paramref name="request"/> and waits for the worker's message of kind <paramref name="responseKind"/> with <paramref name="key"/>.</summary>
    public async Task<StreamingMessage> RequestAsync(StreamingMessage request, StreamingMessage.ContentOneofCase responseKind, string key, CancellationToken cancellationToken)
    {
        var response = new TaskCompletionSource<StreamingMessage>(TaskCreationOptions.RunContinuationsAsynchronously);
        if (!_pending.TryAdd((responseKind, key), response))
        {
            throw new InvalidOperationException($"a {responseKind} for '{key}' is awaited already");
        }
        try
        {
            if (_closed is { } closed)
            {
                throw new IOException("the worker's event stream is closed", closed);
            }
            await SendAsync(request, cancellationToken);
            return await response.Task.WaitAsync(cancellationToken);
        }
        finally
        {
            _pending.TryRemove((responseKind, key), out _);
        }
    }

    public async Task SendAsync(StreamingMessage message, CancellationToken cancellationToken)
    {
        var writer = _writer ?? throw new InvalidOperationException("no worker has opened the event stream");
        // NOTE: a gRPC stream takes one write at a time; invocations are sent from many tasks.
        await _writeLock.WaitAsync(cancellationToken);
        try
        {
            await writer.WriteAsync(message, cancellationToken);
        }
        finally
        {
            _writeLock.Release();
        }
    }

    /// <summary>Fails every waiting request, e.g. when the worker process exits.</summary>
    internal void Close(Exception reason)
    {
        _closed ??= reason;
        _started.TrySetException(new IOException("the worker's event stream closed before StartStream", reason));
        foreach (var pending in _pending.Values)
        {
            pending.TrySetException(new IOException("the worker's event stream closed before it answered", reason));
        }
    }

    private void Dispatch(StreamingMessage message)
    {
        switch (message.ContentCase)
        {
            case StreamingMessage.ContentOneofCase.StartStream:
                _started.TrySetResult(message.StartStream);
                return;
            case StreamingMessage.ContentOneofCase.RpcLog:
                Logs.Enqueue(message.RpcLog);
                return;
        }
        var key = message.ContentCase switch
        {
            StreamingMessage.ContentOneofCase.FunctionLoadResponse => message.FunctionLoadResponse.FunctionId,
            StreamingMessage.ContentOneofCase.InvocationResponse => message.InvocationResponse.InvocationId,
            _ => "",
        };
        if (_pending.TryGetValue((message.ContentCase, key), out var pending))
        {
            pending.TrySetResult(message);
        }
        else
        {
            Unmatched.Enqueue(message);
        }
    }
}
