using System.Reflection;

namespace Serverless.Functions.Hosting;

/// <summary>The repository used when Models:Repository is not set: the sample models shipped with the source.</summary>
public static class SampleModels
{
    public static string Directory()
    {
        // The build records where models/ is, so `dotnet run` serves it from any working directory;
        // a published app carries no samples and looks next to itself.
        var fromBuild = typeof(SampleModels).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .FirstOrDefault(a => a.Key == "SampleModelsDirectory")?.Value;
        return fromBuild is not null && System.IO.Directory.Exists(fromBuild) ? fromBuild : Path.Combine(AppContext.BaseDirectory, "models");
    }
}
