using System.Reflection;

namespace Serverless.FunctionsHost.Tests;

/// <summary>Where the built function app and the sample models are, as the project file computed them.</summary>
public static class AppOutput
{
    public const string AssemblyFile = "Serverless.Functions.dll";

    /// <summary>functions/Serverless.Functions/bin/{Configuration}/net10.0/, with a trailing separator.</summary>
    public static string Directory { get; } = Metadata("FunctionAppOutputDirectory");

    public static string SampleModels { get; } = Metadata("SampleModelsDirectory");

    public static string File(string name) => Path.Combine(Directory, name);

    private static string Metadata(string key) =>
        typeof(AppOutput).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == key).Value
        ?? throw new InvalidOperationException($"assembly metadata {key} is empty");
}
