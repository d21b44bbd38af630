export interface GenerateErrorLike {
  name: string;
  message: string;
}

export const isGenerateError = (err: unknown): err is GenerateErrorLike => err instanceof Error && err.name === 'GenerateError';
