import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { LoggingModule } from './logging.module';
import { StructuredLogger } from './structured-logger.service';

const LEVEL = Symbol('LEVEL');

/** Stands in for the app's configuration: the level reaches the module through forRootAsync's factory. */
@Module({ providers: [{ provide: LEVEL, useValue: 'warn' }], exports: [LEVEL] })
class LevelModule {}

describe('LoggingModule', () => {
  it('writes at the level its options give, to the destination it is handed', async () => {
    const lines: string[] = [];
    const destination = { write: (line: string) => void lines.push(line) };
    const root = LoggingModule.forRootAsync({
      imports: [LevelModule],
      inject: [LEVEL],
      useFactory: (level: 'warn') => ({ level }),
      destination,
    });
    const app = await NestFactory.createApplicationContext(root, { logger: false });
    const logger = app.get(StructuredLogger);
    logger.log('routine', 'Spec');
    logger.warn('needs attention', 'Spec');
    await app.close();
    expect(lines.map((line) => JSON.parse(line) as { level: string; msg: string })).toEqual([
      expect.objectContaining({ level: 'warn', msg: 'needs attention' }),
    ]);
  });
});
