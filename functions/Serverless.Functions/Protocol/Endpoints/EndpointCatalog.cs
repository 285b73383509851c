using System.Collections.Frozen;
using System.Reflection;
using Microsoft.Azure.Functions.Worker;

namespace Serverless.Functions.Protocol.Endpoints;

/// <summary>
/// Every HTTP function of this assembly, read once from its attributes: the one route table. The Functions host
/// learns it from the SDK-generated functions.metadata (the same attributes); the standalone server maps it; the
/// worker's pipeline looks up access rules in it.
/// </summary>
public static class EndpointCatalog
{
    private static readonly Lazy<IReadOnlyList<HttpFunction>> All = new(() => Discover(typeof(EndpointCatalog).Assembly));
    private static readonly Lazy<FrozenDictionary<string, HttpFunction>> ByName = new(() => All.Value.ToFrozenDictionary(f => f.Name));

    public static IReadOnlyList<HttpFunction> Functions => All.Value;

    public static HttpFunction? Find(string functionName) => ByName.Value.GetValueOrDefault(functionName);

    public static IReadOnlyList<HttpFunction> Discover(Assembly assembly) =>
        [.. assembly.GetTypes()
            .SelectMany(t => t.GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly))
            .Select(Describe)
            .OfType<HttpFunction>()
            .OrderBy(f => f.Route, StringComparer.Ordinal)];

    private static HttpFunction? Describe(MethodInfo method)
    {
        var function = method.GetCustomAttribute<FunctionAttribute>();
        var trigger = method.GetParameters().Select(p => p.GetCustomAttribute<HttpTriggerAttribute>()).OfType<HttpTriggerAttribute>().FirstOrDefault();
        if (function is null || trigger is null)
        {
            return null;
        }
        if (string.IsNullOrEmpty(trigger.Route) || trigger.Methods is not { Length: > 0 })
        {
            throw new InvalidOperationException($"HTTP function {function.Name} must name its route and verbs: the route table has no defaults");
        }
        var access = method.GetCustomAttribute<EndpointAccessAttribute>() ?? EndpointAccessAttribute.Default;
        var methods = trigger.Methods.Select(m => m.ToUpperInvariant()).ToList();
        return new HttpFunction(function.Name, trigger.Route, methods, access, method, BuildInvoker(function.Name, method));
    }

    /// <summary>
    /// Calls the function's method the way the worker binds it: the trigger's <see cref="HttpRequest"/>, and string
    /// parameters from the route values of the same name. Anything else is refused here, at start-up.
    /// </summary>
    private static Func<HttpContext, Task> BuildInvoker(string name, MethodInfo method)
    {
        var parameters = method.GetParameters();
        foreach (var parameter in parameters.Where(p => p.ParameterType != typeof(HttpRequest) && p.ParameterType != typeof(string)))
        {
            throw new InvalidOperationException($"HTTP function {name}: parameter {parameter.Name} is a {parameter.ParameterType.Name}; take HttpRequest and route strings only");
        }
        var returnType = method.ReturnType;
        if (returnType != typeof(Task) && returnType != typeof(Task<IResult>) && returnType != typeof(IResult))
        {
            throw new InvalidOperationException($"HTTP function {name} must return Task (writing the response), IResult or Task<IResult>");
        }
        var create = method.IsStatic ? null : ActivatorUtilities.CreateFactory(method.DeclaringType!, Type.EmptyTypes);
        return async context =>
        {
            var arguments = new object?[parameters.Length];
            for (var i = 0; i < parameters.Length; i++)
            {
                arguments[i] = parameters[i].ParameterType == typeof(HttpRequest) ? context.Request : context.GetRouteValue(parameters[i].Name!) as string;
            }
            var target = create?.Invoke(context.RequestServices, null);
            // The worker executes a returned IResult on the same HttpContext after the function returns; so does this.
            switch (method.Invoke(target, BindingFlags.DoNotWrapExceptions, null, arguments, null))
            {
                case IResult result:
                    await result.ExecuteAsync(context);
                    break;
                case Task<IResult> pending:
                    await (await pending).ExecuteAsync(context);
                    break;
                case Task task:
                    await task;
                    break;
            }
        };
    }
}
