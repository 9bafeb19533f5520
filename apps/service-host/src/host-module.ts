/** The global module that hands the ServiceContext to the app's module. */
import { type DynamicModule, Global, Module, type Type } from '@nestjs/common';
import { SERVICE_CONTEXT, type ServiceContext } from './service-context.js';

@Global()
@Module({})
class ServiceContextModule {}

@Module({})
export class HostModule {
  static wrap(context: ServiceContext, app: Type<unknown> | DynamicModule): DynamicModule {
    const contextModule: DynamicModule = {
      module: ServiceContextModule,
      global: true,
      providers: [{ provide: SERVICE_CONTEXT, useValue: context }],
      exports: [SERVICE_CONTEXT],
    };
    return { module: HostModule, imports: [contextModule, app] };
  }
}
