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
                // Network I/O namespaces by name: System.Net.Mail's MailAddress is only the address-syntax parser that
                // handle normalization (HandleName) uses, so that one namespace is not listed.
                "Microsoft.AspNetCore", "Microsoft.Extensions", "Microsoft.Data", "Npgsql", "System.Data", "System.Net.Http",
                "System.Net.Sockets", "System.Net.Security", "System.Net.WebSockets", "System.Net.NetworkInformation", "System.Net.Quic",
                "System.IO.File", "System.IO.FileStream", "System.IO.Directory", "System.Console", "System.Diagnostics.Process")
            .GetResult();
        Assert.NotEmpty(Types.InAssembly(typeof(HandleRecord).Assembly).GetTypes());
        Assert.True(result.IsSuccessful, "Offending types: " + string.Join(", ", result.FailingTypeNames ?? []));
    }

    [Fact]
    public void The_only_use_of_system_net_is_the_mail_address_parser()
    {
        // Guards the narrowing above: a type of System.Net other than MailAddress would fail here.
        TestResult result = Types.InAssembly(typeof(HandleRecord).Assembly)
            .That().DoNotHaveName(nameof(HandleName))
            .ShouldNot().HaveDependencyOn("System.Net")
            .GetResult();
        Assert.True(result.IsSuccessful, "Offending types: " + string.Join(", ", result.FailingTypeNames ?? []));
    }
}
