using NetArchTest.Rules;

namespace OpenCkv.Protocol.Tests;

/// <summary>The formats library stays pure, like the core it builds on: no web framework, storage, network or files.</summary>
public sealed class ArchitectureTests
{
    [Fact]
    public void The_formats_library_depends_on_no_io_framework()
    {
        TestResult result = Types.InAssembly(typeof(HandleRecord).Assembly)
            .ShouldNot()
            .HaveDependencyOnAny(
                "Microsoft.AspNetCore", "Microsoft.Extensions", "Microsoft.Data", "Npgsql", "System.Data", "System.Net",
                "System.IO.File", "System.IO.FileStream", "System.IO.Directory", "System.Console", "System.Diagnostics.Process")
            .GetResult();
        Assert.NotEmpty(Types.InAssembly(typeof(HandleRecord).Assembly).GetTypes());
        Assert.True(result.IsSuccessful, "Offending types: " + string.Join(", ", result.FailingTypeNames ?? []));
    }
}
