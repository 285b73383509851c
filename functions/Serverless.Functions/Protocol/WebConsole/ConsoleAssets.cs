using System.Collections.Frozen;
using System.Reflection;

namespace Serverless.Functions.Protocol.WebConsole;

/// <summary>
/// The console's files (Assets/: HTML, ES modules, CSS written for this app), embedded in the assembly so the page
/// ships inside the app and loads with no internet and no build step. Read once, on first use.
/// </summary>
public static class ConsoleAssets
{
    /// <summary>The page's path, without its slash; the functions' triggers spell it out (infra tests read routes from source).</summary>
    public const string Route = "console";

    public const string PageName = "index.html";

    private const string ResourcePrefix = "Serverless.Functions.Console.";

    private static readonly FrozenDictionary<string, string> MediaTypes = new Dictionary<string, string>
    {
        [".html"] = "text/html; charset=utf-8",
        [".js"] = "text/javascript; charset=utf-8",
        [".css"] = "text/css; charset=utf-8",
    }.ToFrozenDictionary(StringComparer.Ordinal);

    private static readonly Lazy<FrozenDictionary<string, ConsoleAsset>> All = new(Load);

    /// <summary>The asset of that file name (<c>index.html</c>, <c>console.js</c>, ...); null for any other name.</summary>
    public static ConsoleAsset? Find(string name) => All.Value.GetValueOrDefault(name);

    /// <summary>Every asset's file name, for the tests.</summary>
    public static IEnumerable<string> Names => All.Value.Keys;

    private static FrozenDictionary<string, ConsoleAsset> Load()
    {
        var assembly = typeof(ConsoleAssets).Assembly;
        var assets = new Dictionary<string, ConsoleAsset>(StringComparer.Ordinal);
        foreach (var resource in assembly.GetManifestResourceNames().Where(n => n.StartsWith(ResourcePrefix, StringComparison.Ordinal)))
        {
            var name = resource[ResourcePrefix.Length..];
            using var stream = assembly.GetManifestResourceStream(resource)!;
            using var copy = new MemoryStream();
            stream.CopyTo(copy);
            assets[name] = new ConsoleAsset(name, MediaTypes[Path.GetExtension(name)], copy.ToArray());
        }
        return assets.ToFrozenDictionary(StringComparer.Ordinal);
    }
}

/// <summary>One file of the console: its name, media type and bytes.</summary>
public sealed record ConsoleAsset(string Name, string MediaType, byte[] Content);
