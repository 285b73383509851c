namespace Serverless.Functions.Hosting;

/// <summary>
/// Where Kestrel listens. Under the Functions host, 127.0.0.1 at FUNCTIONS_CUSTOMHANDLER_PORT (the host proxies to it);
/// otherwise --urls / ASPNETCORE_URLS when given, else the local default http://127.0.0.1:7071 (the Functions port).
/// </summary>
public static class ListenAddress
{
    public const string CustomHandlerPortVariable = "FUNCTIONS_CUSTOMHANDLER_PORT";
    public const string DefaultUrl = "http://127.0.0.1:7071";

    public static string? CustomHandlerPort(IConfiguration configuration) => configuration[CustomHandlerPortVariable];

    public static bool UnderFunctionsHost(IConfiguration configuration) => !string.IsNullOrEmpty(CustomHandlerPort(configuration));

    public static string? Choose(IConfiguration configuration)
    {
        if (CustomHandlerPort(configuration) is { Length: > 0 } port)
        {
            if (!int.TryParse(port, out var number) || number is <= 0 or > 65535)
            {
                throw new InvalidOperationException($"{CustomHandlerPortVariable}='{port}' is not a TCP port");
            }
            return $"http://127.0.0.1:{number}";
        }
        return string.IsNullOrEmpty(configuration["urls"]) ? DefaultUrl : null;
    }
}
