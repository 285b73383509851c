using Grpc.Core;
using Serverless.FunctionsHost.Tests.StandIn.Protocol;

namespace Serverless.FunctionsHost.Tests.StandIn;

/// <summary>The host's side of <c>FunctionRpc.EventStream</c>: the worker dials in and keeps the call open.</summary>
internal sealed class EventStreamService(WorkerChannel channel) : FunctionRpc.FunctionRpcBase
{
    public override Task EventStream(IAsyncStreamReader<StreamingMessage> requestStream, IServerStreamWriter<StreamingMessage> responseStream, ServerCallContext context) =>
        channel.RunAsync(requestStream, responseStream, context.CancellationToken);
}
