namespace Serverless.Tests.Fixtures;

/// <summary>Folders the tests read in place: the sample models and the shared conformance suite.</summary>
public static class RepositoryPaths
{
    public static string Root { get; } = FindRoot();

    public static string SampleModels => Path.Combine(Root, "models");

    /// <summary>../shared/onnx-conformance beside the checkout: external truth, never copied into the repository.</summary>
    public static string Conformance => Path.GetFullPath(Path.Combine(Root, "..", "shared", "onnx-conformance"));

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Serverless.sln")))
            {
                return dir.FullName;
            }
        }
        throw new InvalidOperationException("Serverless.sln not found above " + AppContext.BaseDirectory);
    }
}
