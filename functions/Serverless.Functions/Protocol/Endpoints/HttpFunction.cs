using System.Reflection;

namespace Serverless.Functions.Protocol.Endpoints;

/// <summary>
/// One HTTP function as its attributes declare it: the <c>[Function]</c> name, the <c>[HttpTrigger]</c> route and
/// verbs, its access rule, and how to call its method on an <see cref="HttpContext"/> (standalone; the worker calls it
/// through its generated executor).
/// </summary>
public sealed record HttpFunction(string Name, string Route, IReadOnlyList<string> Methods, EndpointAccessAttribute Access, MethodInfo Method,
    Func<HttpContext, Task> Invoke);
