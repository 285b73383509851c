using Serverless.Core.Repository;

namespace Serverless.Tests.Core.Repository;

public sealed class ModelRepositoryLayoutTests
{
    private static readonly string Folder = Path.Combine(Path.GetTempPath(), "version-folder");

    [Theory]
    [InlineData("model.onnx", "model.onnx")]
    [InlineData("weights/part-1.bin", "weights/part-1.bin")]
    [InlineData("a/b/c.data", "a/b/c.data")]
    public void ResolveInside_PlainRelativeName_PathBelowTheFolder(string name, string expected)
    {
        Assert.Equal(Path.Combine(Folder, expected.Replace('/', Path.DirectorySeparatorChar)), ModelRepositoryLayout.ResolveInside(Folder, name));
    }

    [Theory]
    [InlineData("../model.onnx")]
    [InlineData("weights/../../escape.bin")]
    [InlineData("/etc/passwd")]
    [InlineData("..")]
    [InlineData("./model.onnx")]
    [InlineData("weights//x.bin")]
    [InlineData("weights/")]
    [InlineData("..\\escape.bin")]
    [InlineData("C:/Windows/x.bin")]
    [InlineData("bad\nname")]
    [InlineData("")]
    public void ResolveInside_NameThatCouldLeaveTheFolder_Null(string name)
    {
        Assert.Null(ModelRepositoryLayout.ResolveInside(Folder, name));
    }
}
