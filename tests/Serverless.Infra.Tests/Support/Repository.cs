using System.Reflection;

namespace Serverless.Infra.Tests.Support;

/// <summary>Paths of the repository under test, found by walking up from the test binaries to Serverless.sln.</summary>
internal static class Repository
{
    private static readonly Lazy<string> RootPath = new(FindRoot);

    public static string Root => RootPath.Value;

    public static string Infra => Path.Combine(Root, "infra");

    /// <summary>Shared material sits beside the checkout and is read in place.</summary>
    public static string AzdSchema => Path.GetFullPath(Path.Combine(Root, "..", "shared", "schemas", "azure.yaml.json"));

    public static string Metadata(string key) =>
        typeof(Repository).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == key).Value
        ?? throw new InvalidOperationException($"Assembly metadata {key} is empty.");

    private static string FindRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Serverless.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException($"No Serverless.sln above {AppContext.BaseDirectory}.");
    }
}
