import { Module } from '@nestjs/common';
import { SensitiveDataModule } from '../sensitive-data/sensitive-data.module';
import { OperatorTokenGuard } from './operator-token.guard';
import { OperatorConfigurableModule } from './operator.module-definition';
import { OperatorController } from './operator.controller';
import { OperatorService } from './operator.service';

/**
 * The platform operator's API (`/api/v1/operator/…`): edition and data region of accounts,
 * behind a static token of its own, apart from account users. `forRoot({ token })`.
 */
@Module({
  imports: [SensitiveDataModule],
  controllers: [OperatorController],
  providers: [OperatorService, OperatorTokenGuard],
})
export class OperatorModule extends OperatorConfigurableModule {}
