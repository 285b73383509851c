using Serverless.FunctionsHost.Tests.StandIn.Protocol;

namespace Serverless.FunctionsHost.Tests.StandIn;

/// <summary>One proxied HTTP call whose body is still arriving: the function the route chose, the worker's response (headers read) and its InvocationResponse to come.</summary>
public sealed record StreamedCall(WorkerFunction Function, HttpResponseMessage Response, Task<InvocationResponse> Invocation);
