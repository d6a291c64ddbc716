using OpenCkv.KnownAnswers;

// Writes the known-answer files into the folder given (default: testdata/ under the current directory).
string folder = args.Length > 0 ? args[0] : "testdata";
Directory.CreateDirectory(folder);
foreach ((string name, string contents) in KnownAnswerGenerator.Generate())
{
    string path = Path.Combine(folder, name);
    File.WriteAllText(path, contents);
    Console.WriteLine($"wrote {path}");
}
