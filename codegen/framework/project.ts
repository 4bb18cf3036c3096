/**
 * One in-memory ts-morph Project for the whole process: creating a Project is the slow part of
 * ts-morph, so every `generate` reuses this one. Nothing is type-checked here (that is `tsc`'s job in
 * the tests); the Project only builds and prints source files.
 */
import { IndentationText, NewLineKind, Project, QuoteKind, type SourceFile } from 'ts-morph';

let shared: Project | null = null;

function project(): Project {
  shared ??= new Project({
    useInMemoryFileSystem: true,
    skipAddingFilesFromTsConfig: true,
    skipFileDependencyResolution: true,
    manipulationSettings: {
      indentationText: IndentationText.TwoSpaces,
      quoteKind: QuoteKind.Single,
      newLineKind: NewLineKind.LineFeed,
      useTrailingCommas: true,
    },
  });
  return shared;
}

/** A fresh, empty in-memory source file (replacing any earlier one of the same name). */
export function newSourceFile(fileName: string): SourceFile {
  return project().createSourceFile(`/generated/${fileName}`, '', { overwrite: true });
}

/** The file's text, then forgets the file so the shared Project does not grow. */
export function printAndForget(file: SourceFile): string {
  const text = file.getFullText();
  project().removeSourceFile(file);
  return text.endsWith('\n') ? text : `${text}\n`;
}
