using BenchmarkDotNet.Running;
using OpenCkv.Benchmarks;

if (args is ["native-probe"])
{
    NativeProbe.Run();
    return 0;
}

if (args is ["probe"])
{
    Probe.Run();
    return 0;
}

if (args is ["leakage", ..])
{
    return LeakageCheck.Run(args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 20000);
}

BenchmarkSwitcher.FromAssembly(typeof(Probe).Assembly).Run(args);
return 0;
