using System.ComponentModel.DataAnnotations;
using Serverless.Functions.Protocol.OpenAi;

namespace Serverless.Tests.Protocol.OpenAi;

public sealed class OpenAiOptionsTests
{
    private static List<ValidationResult> Validate(OpenAiOptions options)
    {
        var results = new List<ValidationResult>();
        Validator.TryValidateObject(options, new ValidationContext(options), results, validateAllProperties: true);
        return results;
    }

    [Fact]
    public void Validate_Defaults_Valid()
    {
        Assert.Empty(Validate(new OpenAiOptions()));
    }

    [Fact]
    public void Validate_DefaultMaxTokensAboveTheCap_FailsNamingBothSettings()
    {
        var failure = Assert.Single(Validate(new OpenAiOptions { MaxCompletionTokens = 100, DefaultChatMaxTokens = 200 }));

        Assert.Contains("OpenAi:DefaultChatMaxTokens (200) must not exceed OpenAi:MaxCompletionTokens (100)", failure.ErrorMessage);
    }

    [Fact]
    public void Validate_NoChoicesAllowed_Fails()
    {
        Assert.Single(Validate(new OpenAiOptions { MaxChoices = 0 }));
    }
}
