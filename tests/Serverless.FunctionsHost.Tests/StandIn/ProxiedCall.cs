using Serverless.FunctionsHost.Tests.StandIn.Protocol;

namespace Serverless.FunctionsHost.Tests.StandIn;

/// <summary>One proxied HTTP call: the function the route chose, the worker's HTTP answer and its InvocationResponse.</summary>
public sealed record ProxiedCall(WorkerFunction Function, HttpResponseMessage Response, byte[] Body, InvocationResponse Invocation);
